#!/usr/bin/env bash
# Runs on each app server: points `current` at an unpacked release and restarts the app.
set -euo pipefail

version="$1"
dir="/srv/invoicing/releases/${version}"

if [ ! -s "${dir}/.env.production" ]; then
  echo "switch-release: ${dir}/.env.production is missing, not switching" >&2
  exit 1
fi

ln -sfn "$dir" /srv/invoicing/current
sudo systemctl restart invoicing-web

# The health endpoint queries the database, so a release without its
# configuration fails here instead of serving errors.
curl -fsS --retry 10 --retry-connrefused http://127.0.0.1:3000/api/health > /dev/null
echo "switched to ${version}"
