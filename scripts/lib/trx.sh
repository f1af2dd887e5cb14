# Sourced by the checks test.sh runs after the tests (adapter-sdk-check.sh, publish-check.sh): writes a check's outcome
# as one test in a TRX file, so CI (.ci/run) counts it with the test projects' results.
#
#   write_trx DIR NAME PASS|FAIL
write_trx() {
  local dir="$1" name="$2" outcome="$3"
  local passed=0 failed=0
  if [ "$outcome" = PASS ]; then passed=1; else failed=1; fi
  mkdir -p "$dir"
  cat > "$dir/$name.trx" <<TRX
<?xml version="1.0" encoding="UTF-8"?>
<TestRun id="$(cat /proc/sys/kernel/random/uuid)" name="$name" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <ResultSummary outcome="Completed">
    <Counters total="1" executed="1" passed="${passed}" failed="${failed}" />
  </ResultSummary>
</TestRun>
TRX
}
