#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need, starts a throwaway PostgreSQL (PostGIS) and
# Redis, builds once, runs every test project, and ends with one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

./scripts/setup.sh --tests || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

work=$(mktemp -d /tmp/dashboard-test.XXXXXX)
chmod 755 "$work"
results="$root/.test-artifacts/results"
rm -rf "$results" "$root/.test-artifacts/logs"; mkdir -p "$results"

source scripts/lib/pg.sh
cleanup() {
  stop_pg "$work"
  [ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "Starting a throwaway PostgreSQL in $work/pg"
# Durability settings off: the cluster is thrown away after the run.
if ! PG_EXTRA_OPTIONS="-c fsync=off -c synchronous_commit=off -c full_page_writes=off" start_pg "$work"; then
  echo "0 passed, 1 failed"
  exit 1
fi

redis_port=$(( 20000 + RANDOM % 20000 ))
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
export DASHBOARD_TEST_REDIS="127.0.0.1:$redis_port"
export DASHBOARD_TEST_ARTIFACTS="$root/.test-artifacts"

echo "Building"
if ! dotnet build Dashboard.sln -c Release --nologo -v q -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  exit 1
fi

status=0
for project in tests/*/; do
  name=$(basename "$project")
  grep -q "<IsTestProject>true</IsTestProject>" "$project/$name.csproj" 2>/dev/null || continue
  echo "Running $name"
  log="$results/$name.log"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --blame-hang-timeout 5m \
    --results-directory "$results" >"$log" 2>&1
  code=$?
  # Test results only (test names start with the project name); app log lines are left out.
  grep -E -A 4 "^\s*(Failed|Skipped) Dashboard\." "$log" | head -n 120
  grep -E "Passed!|Failed!|Total tests" "$log"
  if [ "$code" -ne 0 ]; then
    status=1
    grep -q "Total tests" "$log" || tail -n 40 "$log"
  fi
done

# No photos, keys or tokens in the logs of the whole run (counted as one more test).
echo "Scanning the captured app logs"
log_scan=0
./scripts/scan-logs.sh "$root/.test-artifacts/logs" || { log_scan=1; status=1; }

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$log_scan" -ne 0 ]; then failed=$((failed + 1)); else passed=$((passed + 1)); fi

# The failing tests again, last, so that the tail of the output names them.
failures=$(grep -h -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$results"/*.trx 2>/dev/null \
  | sed -n 's/.* testName="\([^"]*\)".*/\1/p')
if [ -n "$failures" ]; then
  echo "Failed tests:"
  sed 's/^/  /' <<<"$failures"
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
