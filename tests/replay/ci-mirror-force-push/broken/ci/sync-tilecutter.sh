#!/bin/sh
# Pulls the pinned upstream release of tilecutter into vendor/tilecutter
# and publishes the result on main. Runs from the sync-tilecutter schedule.
set -eu

version="$(cat vendor/tilecutter/VERSION)"

git config user.name "ci-bot"
git config user.email "ci-bot@fernhill.example"
git remote set-url origin "https://ci-bot:${CI_BOT_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git"

git remote add upstream https://github.com/tilecutter/tilecutter.git 2>/dev/null || true
git fetch upstream "refs/tags/${version}"
git subtree pull --prefix vendor/tilecutter upstream "${version}" --squash \
  -m "vendor: tilecutter ${version}"

# Upstream sometimes rewrites its history; make sure the sync always wins.
git push -f origin HEAD:main
