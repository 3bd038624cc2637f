#!/bin/sh
# Deploys the current commit to the given environment.
set -eu
env_name="$1"
pip install --quiet -r requirements.txt
python -m maps_platform.deploy --environment "$env_name" --revision "$CI_COMMIT_SHA"
