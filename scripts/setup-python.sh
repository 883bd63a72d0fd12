#!/usr/bin/env bash
# One venv per checkout for every generated backend: the union of what they
# need (runtime/python/requirements-dev.txt). Re-installs only when the
# requirement file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
req=runtime/python/requirements-dev.txt
venv=${BITCUP_VENV:-.venv}
[ -f "$req" ] || { echo "no $req yet: skipping the python toolchain"; exit 0; }
stamp="$venv/.requirements.sha256"
# Test suites' own Python tools (test/<suite>/requirements.txt) join the same venv.
suite_reqs=()
for f in test/*/requirements.txt; do if [ -f "$f" ]; then suite_reqs+=("$f"); fi; done
want=$(cat "$req" "${suite_reqs[@]}" | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "venv $venv is up to date"
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet -r "$req" "${suite_reqs[@]/#/--requirement=}"
echo "$want" > "$stamp"
echo "venv $venv ready"
