#!/usr/bin/env bash
# The main job: set up, then build the shop example app into out/shop
# (pass another entry and folder to build something else).
set -euo pipefail
cd "$(dirname "$0")/.."
BITCUP_SKIP_PYTHON=1 bash scripts/setup.sh
entry=${1:-examples/shop.bitcup}
out=${2:-out/$(basename "$entry" .bitcup)}
node bin/bitcup.js check "$entry"
node bin/bitcup.js build "$entry" --out "$out"
echo "built $entry into $out"
