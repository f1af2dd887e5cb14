#!/usr/bin/env bash
# The adapter SDK as a council uses it, outside this repository, step for step as docs/adapters.md tells it:
# packs CitizenHub.Contracts, CitizenHub.Adapters and CitizenHub.Adapters.Testing into a temporary local feed, installs
# the citizenhub-adapter template from this repository, makes an adapter (Telex) with it in a temporary folder, runs its
# conformance tests and builds it against the packed packages (a nuget.config naming the feed beside the usual
# registry), drops the build into a hub's plug-in folder, and syncs a file through it with the citizenhub executable,
# checking the counts. Prints one PASS or FAIL line; exits 0 only on PASS.
#
#   scripts/adapter-sdk-check.sh [--trx DIR]
#
# --trx DIR also writes the result as one test to DIR/adapter-sdk-check.trx, so CI (.ci/run) counts it with the rest.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/trx.sh
. "$repo/scripts/lib/trx.sh"
trx_dir=""
if [ "${1:-}" = "--trx" ]; then
  trx_dir="${2:?--trx needs a folder}"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/citizenhub-sdk-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/log.txt"
started=$(date +%s)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The template is installed for this run only, never into the user's own template list.
export DOTNET_CLI_HOME="$work/home"
# Packages restore into a folder of this run, so a package packed by an earlier run (same version) is never used;
# everything else is found in the user's usual packages folder first (nuget.config below), so nothing is downloaded twice.
user_packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
export NUGET_PACKAGES="$work/packages"

report() {
  local outcome="$1" detail="$2"
  local seconds=$(( $(date +%s) - started ))
  if [ -n "$trx_dir" ]; then
    write_trx "$trx_dir" adapter-sdk-check "$outcome"
  fi
  echo "adapter-sdk-check: ${outcome} (${detail}; ${seconds} s)"
}

# Runs one step; on failure shows the step's output and fails the check.
step() {
  local what="$1"
  shift
  echo "adapter-sdk-check: ${what}" >&2
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    report FAIL "$what failed"
    exit 1
  fi
}

feed="$work/feed"
for project in contracts/CitizenHub.Contracts adapters/CitizenHub.Adapters adapters/CitizenHub.Adapters.Testing; do
  step "pack $project" dotnet pack "$repo/$project" -o "$feed"
done

step "install the template" dotnet new install "$repo/templates/citizenhub-adapter"
mkdir -p "$work/council"
cd "$work/council"
cat > nuget.config <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <!-- The CitizenHub packages; the usual registry (from the user's own NuGet configuration) for the rest. -->
    <add key="citizenhub" value="$feed" />
  </packageSources>
  <fallbackPackageFolders>
    <add key="user" value="$user_packages" />
  </fallbackPackageFolders>
</configuration>
CONFIG
step "dotnet new citizenhub-adapter -n Telex -o telex" dotnet new citizenhub-adapter -n Telex -o telex
step "conformance tests of the new adapter" dotnet test telex/tests/CitizenHub.Adapters.Telex.Tests
step "build the plug-in" dotnet build telex/adapters/CitizenHub.Adapters.Telex -c Release -o "$work/hub/plugins/telex"
for shared in CitizenHub.Adapters.dll CitizenHub.Contracts.dll Microsoft.Extensions.Configuration.Abstractions.dll; do
  if [ -e "$work/hub/plugins/telex/$shared" ]; then
    report FAIL "the plug-in's build carries $shared, which must come from the hub"
    exit 1
  fi
done

step "build the hub" dotnet build "$repo/hub/CitizenHub.Host"
cd "$work/hub"
cat > telex.jsonl <<'DATA'
{"id":"TX1","surname":"Okafor","dob":"1950-03-04"}
{"id":"TX2","surname":"Lindqvist","dob":"1961-11-30"}
{"id":"TX3","surname":{"not":"text"}}
{"id":"TX4","surname":"Bhatt","dob":"1975-07-15"}
DATA
cat > citizenhub.json <<'CONFIG'
{
  "Plugins": { "Folder": "plugins" },
  "Sources": [
    {
      "Name": "telex",
      "Kind": "Telex",
      "Telex": { "Path": "telex.jsonl" },
      "Mapping": { "Key": "id", "FamilyName": "surname", "DateOfBirth": "dob", "DateFormats": [ "yyyy-MM-dd" ] }
    }
  ]
}
CONFIG
step "citizenhub sync through the plug-in" "$repo/hub/CitizenHub.Host/bin/Debug/net10.0/citizenhub" sync --config citizenhub.json
if ! grep -q "telex: 3 records, 1 rejected, 0 removed" "$log"; then
  cat "$log" >&2
  report FAIL "the sync did not read 3 records and reject 1"
  exit 1
fi

report PASS "packed, templated, built against the packages, loaded as a plug-in, 3 records synced"
