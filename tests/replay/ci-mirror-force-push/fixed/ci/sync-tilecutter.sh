#!/bin/sh
# Pulls the pinned upstream release of tilecutter into vendor/tilecutter
# and opens a merge request into main. Runs from the sync-tilecutter schedule.
# It never pushes to main itself.
set -eu

version="$(cat vendor/tilecutter/VERSION)"

git config user.name "ci-bot"
git config user.email "ci-bot@fernhill.example"
git remote set-url origin "https://ci-bot:${CI_BOT_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git"

git remote add upstream https://github.com/tilecutter/tilecutter.git 2>/dev/null || true
git fetch upstream "refs/tags/${version}"
git subtree pull --prefix vendor/tilecutter upstream "${version}" --squash \
  -m "vendor: tilecutter ${version}"

# A new branch per upstream version, pushed without force; the merge request
# goes through review and the pipeline like any other change.
git push \
  -o merge_request.create \
  -o merge_request.target=main \
  -o merge_request.remove_source_branch \
  -o merge_request.title="vendor: tilecutter ${version}" \
  origin "HEAD:refs/heads/upstream-sync/tilecutter-${version}"
