#!/usr/bin/env bash
# Installs the servers and the browser the tests need when missing (Debian packages), then restores, builds
# (warnings are errors) and runs every test in the solution, then the adapter SDK check
# (scripts/adapter-sdk-check.sh: the packages, the template and a plug-in, outside the repository) and the publish check
# (scripts/publish-check.sh: the self-contained citizenhub executable as an operator installs it).
# Test results are written as TRX to TestResults/ (CI counts them from there; each check is one test there).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET SDK (dotnet) is not on PATH; install the SDK named in global.json." >&2
  exit 1
fi

# Real servers for the tests that are about them (test fixtures start private instances on loopback ports).
missing=()
if [ -z "${CITIZENHUB_TEST_POSTGRES:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ -z "${CITIZENHUB_TEST_RABBITMQ:-}" ] && [ ! -x /usr/sbin/rabbitmq-server ]; then
  missing+=(rabbitmq-server)
fi
if [ -z "${CITIZENHUB_TEST_MARIADB:-}" ] && [ ! -x /usr/sbin/mariadbd ]; then
  missing+=(mariadb-server)
fi
# The SQL adapter's ODBC provider is tested through the MariaDB ODBC driver (unixODBC is what System.Data.Odbc loads).
if ! ls /usr/lib/*/odbc/libmaodbc.so >/dev/null 2>&1 || ! /sbin/ldconfig -p | grep -q 'libodbc\.so\.2'; then
  missing+=(unixodbc odbc-mariadb)
fi
# The web page's tests drive Debian's Chromium through Playwright (Playwright's own browser download cannot work here).
if [ -z "${CITIZENHUB_TEST_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  missing+=(chromium)
fi
# The web page's assets (GOV.UK Frontend, compiled with Sass) are built from hub/CitizenHub.Web/package-lock.json by npm.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rm -rf TestResults
dotnet restore Integration.sln
dotnet build Integration.sln --no-restore -warnaserror
status=0
dotnet test Integration.sln --no-build \
  --logger "trx" --logger "console;verbosity=minimal" \
  --results-directory TestResults "$@" || status=$?
# Run even when a test failed: their PASS or FAIL lines are worth having either way.
scripts/adapter-sdk-check.sh --trx TestResults || status=1
scripts/publish-check.sh --trx TestResults || status=1
exit "$status"
