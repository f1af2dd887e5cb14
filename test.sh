#!/usr/bin/env bash
# Restores, builds (warnings are errors) and runs every test in the solution.
# Test results are written as TRX to TestResults/ (CI counts them from there).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (dotnet) is not on PATH; install the SDK named in global.json." >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rm -rf TestResults
dotnet restore Integration.sln
dotnet build Integration.sln --no-restore -warnaserror
dotnet test Integration.sln --no-build \
  --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory TestResults "$@"
