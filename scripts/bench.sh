#!/usr/bin/env bash
# Runs a benchmark verb against a throwaway PostgreSQL (durable settings, as in production):
#   ./scripts/bench.sh ingestion   (verbs: ingestion, live, reviews, trail, alerts, oversight, reports, transparency, load)
# Figures are printed; artifacts land in .test-artifacts/bench.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
./scripts/setup.sh --tests
work=$(mktemp -d /tmp/dashboard-bench.XXXXXX)
chmod 755 "$work"
source scripts/lib/pg.sh
trap 'stop_pg "$work"; rm -rf "$work"' EXIT
PG_EXTRA_OPTIONS="-c shared_buffers=512MB -c max_wal_size=4GB" start_pg "$work"
export DASHBOARD_TEST_ARTIFACTS="$root/.test-artifacts"
dotnet run -c Release --project tests/Dashboard.Benchmarks -- "$@"
