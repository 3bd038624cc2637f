#!/usr/bin/env bash
# Runs on each app server: points `current` at an unpacked release and restarts the app.
set -euo pipefail

version="$1"
dir="/srv/invoicing/releases/${version}"

ln -sfn "$dir" /srv/invoicing/current
sudo systemctl restart invoicing-web

# The server answers once it is up.
curl -fsS --retry 10 --retry-connrefused http://127.0.0.1:3000/ > /dev/null
echo "switched to ${version}"
