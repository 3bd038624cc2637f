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

tar -czf "invoicing-web-$(node -p 'require("./package.json").version').tar.gz" release
