#!/usr/bin/env bash
# Deploys the booking API. Run by .github/workflows/deploy.yml for staging and production.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set}"
: "${DEPLOY_ENV:?DEPLOY_ENV must be set}"

npm ci
npx prisma generate

if [ "${RESEED:-0}" = "1" ]; then
  # Reset the database to the demo fixtures before a demo.
  npx prisma migrate reset --force
else
  npx prisma migrate deploy
fi

npm run build
version="$(node -p 'require("./package.json").version')"
gcloud run deploy "booking-api-${DEPLOY_ENV}" \
  --source . \
  --region australia-southeast1 \
  --tag "v${version//./-}"
