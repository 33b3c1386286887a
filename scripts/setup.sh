#!/usr/bin/env bash
# Installs what the dashboard needs on a Debian 12 machine with the .NET SDK, Node and the PostgreSQL
# server binaries: PostGIS for that PostgreSQL, the DejaVu fonts breach reports embed (fonts-dejavu-core),
# and the npm packages. With "--tests" also what the test suite needs: Chromium, Redis, poppler-utils and
# qpdf (PDF checks), and nginx (the sticky load balancer of the instance-failover test; only its binary is
# used, with a private configuration on a free port; the tests never use a system nginx). Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=false
[ "${1:-}" = "--tests" ] && want_tests=true

pg_major() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && basename "$(dirname "$dir")" || echo ""
}

missing=()
major=$(pg_major)
if [ -z "$major" ]; then
  missing+=(postgresql-15 postgresql-15-postgis-3)
  major=15
elif [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
  missing+=("postgresql-$major-postgis-3")
fi

if $want_tests; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
  [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
fi
# Breach reports embed these fonts (Reports:Fonts:Directory points elsewhere if needed).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Only nginx's binary is used (the tests run private instances): a system nginx that apt started on port 80 is stopped.
  if [[ " ${missing[*]} " == *" nginx-light "* ]]; then
    ($SUDO systemctl disable --now nginx || $SUDO service nginx stop) >/dev/null 2>&1 || true
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

dotnet tool restore >/dev/null
