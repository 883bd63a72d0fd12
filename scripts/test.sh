#!/usr/bin/env bash
# The one test command (README, CONTRIBUTING, .ci/run): set-up, static checks
# on the project, then every vitest suite (unit, fixtures, and the integration
# suites that build the examples and run their output for real).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== typecheck"
npx tsc --noEmit
echo "== eslint"
npx eslint .
echo "== prettier"
npx prettier --check .
echo "== vitest"
npx vitest run "$@"
