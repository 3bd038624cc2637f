#!/usr/bin/env bash
# Packages the standalone Next.js build into release/ for the app servers.
# Run by the release job after `npm run build`.
set -euo pipefail

rm -rf release
mkdir -p release/.next

# Ship what is tracked in git, plus the build output.
git ls-files -z -- package.json public | xargs -0 -I{} cp --parents {} release/
cp -R .next/standalone/. release/
cp -R .next/static release/.next/static
cp .next/BUILD_ID release/.next/BUILD_ID

# .env.production is gitignored (it comes from the secrets manager), so copy it
# explicitly and refuse to package a release without it.
if [ ! -s .env.production ]; then
  echo "package-release: .env.production is missing on the build host" >&2
  exit 1
fi
cp .env.production release/.env.production

tar -czf "invoicing-web-$(node -p 'require("./package.json").version').tar.gz" release
