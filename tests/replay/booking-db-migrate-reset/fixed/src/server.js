const express = require("express");
const { PrismaClient } = require("@prisma/client");

const prisma = new PrismaClient();
const app = express();
app.use(express.json());

app.get("/health", (_req, res) => res.json({ status: "ok" }));

app.get("/clinics/:id/appointments", async (req, res) => {
  const appointments = await prisma.appointment.findMany({
    where: { clinicId: req.params.id },
    orderBy: { startsAt: "asc" },
  });
  res.json(appointments);
});

app.listen(process.env.PORT || 3000);
