#!/usr/bin/env bash
# Scans the app logs a test run captured (tests/Dashboard.Testing/TestLogFile.cs writes them to
# $DASHBOARD_TEST_ARTIFACTS/logs) for what must never be logged: ingest keys, photos, tokens, cookies.
# Fails when one is found, and also when the logs do not show the ingestion and review traffic they
# should have seen (a scan of nothing proves nothing). Usage: scripts/scan-logs.sh <logs dir>
set -uo pipefail
dir=${1:?usage: scan-logs.sh <logs dir>}
shopt -s nullglob
files=("$dir"/*.log)
if [ ${#files[@]} -eq 0 ]; then
  echo "Log scan: no captured app logs in $dir"; exit 1
fi

declare -A forbidden=(
  ["the demo ingest key"]='dk_demokey1_localdevelopmentonlynotasecret'
  ["an ingest key"]='dk_[a-z0-9]{8}_[a-z0-9]{16,}'
  ["a base64 JPEG (photo)"]='/9j/[A-Za-z0-9+/]{8,}'
  ["a JWT or bearer token"]='eyJ[A-Za-z0-9_-]{8,}|[Bb]earer [A-Za-z0-9._~+/=-]{16,}'
  ["a protected token or cookie value"]='CfDJ8[A-Za-z0-9_-]{16,}'
  ["a cookie header"]='(Set-)?Cookie: *[^ ]+=|\.AspNetCore\.[A-Za-z.]+=[A-Za-z0-9_-]{8,}'
)
# Not credentials, though they look like one: the protected state Entra ID hands back on the sign-out callback
# URL (the request line is logged at Information, which the captured logs keep). Only this text is taken out
# before a line is judged; anything else on the same line still counts.
allowed='signout-callback-oidc\?state=CfDJ8[A-Za-z0-9_-]+'
status=0
for what in "${!forbidden[@]}"; do
  hits=$(grep -EHn -- "${forbidden[$what]}" "${files[@]}" | sed -E "s/$allowed/signout-callback-oidc?state=(state)/g" | grep -E -- "${forbidden[$what]}" | head -n 5)
  if [ -n "$hits" ]; then
    status=1
    echo "Log scan: found $what in the app logs:"
    # Show where, not the secret itself.
    cut -d: -f1,2 <<<"$hits" | sed 's/^/  /'
  fi
done

declare -A expected=(
  ["ingestion requests"]='POST [^ ]*/api/v1/checkins'
  ["review pages"]='GET [^ ]*/reviews/[0-9a-f-]{36}'
  ["photo views"]='GET [^ ]*/photos/[0-9a-f-]{36}'
  ["Entra ID sign-in returns (where tokens travel)"]='POST [^ ]*/signin-oidc'
)
for what in "${!expected[@]}"; do
  if ! grep -Eq -- "${expected[$what]}" "${files[@]}"; then
    status=1
    echo "Log scan: the captured logs show no $what: is the log capture working?"
  fi
done

lines=$(cat "${files[@]}" | wc -l)
[ "$status" -eq 0 ] && echo "Log scan: ${#files[@]} files, $lines lines, no keys, photos, tokens or cookies"
exit $status
