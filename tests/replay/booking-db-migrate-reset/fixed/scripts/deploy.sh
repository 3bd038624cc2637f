#!/usr/bin/env bash
# Deploys the booking API. Run by .github/workflows/deploy.yml for staging and production.
# Only forward migrations run here. The staging reseed lives in the ops runbook
# repository and never runs from this script.
set -euo pipefail

: "${DATABASE_URL:?DATABASE_URL must be set}"
: "${DEPLOY_ENV:?DEPLOY_ENV must be set}"

npm ci
npx prisma generate

# Apply pending migrations only.
npx prisma migrate deploy

npm run build
version="$(node -p 'require("./package.json").version')"
gcloud run deploy "booking-api-${DEPLOY_ENV}" \
  --source . \
  --region australia-southeast1 \
  --tag "v${version//./-}"
