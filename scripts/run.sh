#!/usr/bin/env bash
# Starts the dashboard with demo data: installs what is missing, then `dotnet run` in Development,
# which starts a private PostgreSQL in .pgdata/, seeds the demo service and runs the simulator.
# Stop with Ctrl+C (the private PostgreSQL stops with it).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
echo "Starting the dashboard: open http://localhost:5180 and sign in as officer1 (or supervisor1, auditor1)."
exec dotnet run --launch-profile Dashboard
