#!/usr/bin/env bash
# `hindsight mcp` against the official MCP Python SDK (ci/mcp/test_mcp.py).
# usage: ci/mcp/run.sh HINDSIGHT
# Installs the SDK (`pip install mcp`) if it is missing; without it (offline), says so
# and skips, exit 0. Any failed check exits 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/release/hindsight}
if ! python3 -c 'import mcp' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check mcp >/dev/null 2>&1 || true
fi
if ! python3 -c 'import mcp' 2>/dev/null; then
    echo "skipped: the MCP Python SDK could not be installed (pip install mcp; offline?)"
    exit 0
fi
echo "MCP Python SDK $(python3 -c 'import importlib.metadata as m; print(m.version("mcp"))')"
python3 ci/mcp/test_mcp.py "$bin" "$PWD"
