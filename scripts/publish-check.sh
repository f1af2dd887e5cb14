#!/usr/bin/env bash
# The citizenhub executable as an operator installs it (docs/operations.md): publishes hub/CitizenHub.Host
# self-contained for this machine's runtime into a temporary folder, then runs the published binary, never through
# dotnet: `citizenhub --version` must print `citizenhub` and the version Directory.Build.props sets (with the commit it was built from),
# `citizenhub config validate --config samples/embedded/citizenhub.json` must find the sample valid, and the web page's
# assets (web-assets/) must be beside the binary. Prints one PASS or FAIL line; exits 0 only on PASS.
#
#   scripts/publish-check.sh [--trx DIR]
#
# --trx DIR also writes the result as one test to DIR/publish-check.trx, so CI (.ci/run) counts it with the rest.
set -uo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/trx.sh
. "$repo/scripts/lib/trx.sh"
trx_dir=""
if [ "${1:-}" = "--trx" ]; then
  trx_dir="${2:?--trx needs a folder}"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/citizenhub-publish-check.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/log.txt"
started=$(date +%s)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

report() {
  local outcome="$1" detail="$2"
  if [ -n "$trx_dir" ]; then
    write_trx "$trx_dir" publish-check "$outcome"
  fi
  echo "publish-check: ${outcome} (${detail}; $(( $(date +%s) - started )) s)"
}

fail() {
  cat "$log" >&2
  report FAIL "$1"
  exit 1
}

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) report FAIL "no runtime identifier for $(uname -m)"; exit 1 ;;
esac

echo "publish-check: dotnet publish hub/CitizenHub.Host -c Release -r $rid --self-contained" >&2
dotnet publish "$repo/hub/CitizenHub.Host" -c Release -r "$rid" --self-contained -o "$work/citizenhub" >"$log" 2>&1 \
  || fail "dotnet publish failed"
binary="$work/citizenhub/citizenhub"
[ -x "$binary" ] || fail "the publish made no executable citizenhub"
[ -s "$work/citizenhub/web-assets/citizenhub.css" ] || fail "the publish lacks the web page's assets (web-assets/)"

version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -n 1)"
"$binary" --version >"$log" 2>&1 || fail "citizenhub --version failed"
# The informational version: the version, then the commit when built from a git checkout.
grep -Eqx "citizenhub ${version//./\\.}(\+[0-9a-f]{7,40})?" "$log" || fail "citizenhub --version did not print citizenhub ${version}[+commit]"
shown="$(cat "$log")"

# From the repository, as docs/operations.md's check after an install does: relative paths are the operator's.
cd "$repo"
"$binary" config validate --config samples/embedded/citizenhub.json >"$log" 2>&1 \
  || fail "citizenhub config validate of samples/embedded/citizenhub.json failed"
grep -q "^samples/embedded/citizenhub.json: valid, 2 sources" "$log" \
  || fail "citizenhub config validate did not find samples/embedded/citizenhub.json valid with its 2 sources"

report PASS "published self-contained for $rid, '$shown', the sample configuration valid"
