#!/usr/bin/env bash
# Make a fresh machine ready: system packages (when run as root), the npm
# dependencies, the compiled CLI and the shared Python venv. Safe to re-run:
# each step is skipped when already done. Called by `npm run example`,
# `npm test` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests use: PostgreSQL 15 binaries, Chromium (E2E),
# nginx (deploy checks), redis-server (event relay tests).
need_apt=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql-15)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v nginx >/dev/null || need_apt+=(nginx)
command -v envsubst >/dev/null || need_apt+=(gettext-base) # renders the nginx template
command -v redis-server >/dev/null || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "warning: missing system packages (install them as root): ${need_apt[*]}" >&2
  fi
fi

# npm dependencies, re-installed only when the lockfile changed.
stamp=node_modules/.bitcup-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund
  echo "$want" > "$stamp"
fi

echo "== build"
npm run --silent build

if [ "${BITCUP_SKIP_PYTHON:-}" != 1 ]; then
  echo "== python venv"
  bash scripts/setup-python.sh
fi
