-- AlterTable
ALTER TABLE "Appointment" ADD COLUMN "reminderAt" TIMESTAMP(3);
