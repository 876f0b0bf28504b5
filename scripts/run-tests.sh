#!/usr/bin/env bash
# Runs the built tests with a short console output: every failure with its details, then the totals. The whole
# output (a line per test) goes to .build/test-output.log. A run that is still going after the time limit is
# stopped, and the tests that had not finished are named, so a hang fails with a reason instead of running on.
# The run gets a temporary folder of its own (TMPDIR), removed at the end: the tests, the processes they start and
# the toolchain leave nothing in /tmp, even when a run is stopped before the tests can clean up.
# Usage: scripts/run-tests.sh [swift test options…]     (TEST_TIME_LIMIT in seconds, default 2400)
set -uo pipefail
cd "$(dirname "$0")/.."
log=.build/test-output.log
limit=${TEST_TIME_LIMIT:-2400}
mkdir -p .build
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/ledgerchat-test-run.XXXXXX")
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT

echo "Running the tests (a few minutes; every line in $log)…"
started=$SECONDS
# Line-buffered, so that a run stopped at the limit still has the names of the tests it was running.
timeout --kill-after=20 "$limit" stdbuf -oL -eL "${SWIFT:-swift}" test --skip-build "$@" >"$log" 2>&1
status=$?

# Failures: Swift Testing's ✘ lines with the ↳ details that follow them, XCTest's error lines, and the totals.
awk '
  /^✘/ { print; details = 1; next }
  /^↳/ && details { print; next }
  { details = 0 }
  /: error: / { print }
  /^✔ Test run with / || /^✘ Test run with / { print }
' "$log"

if [ "$status" = 124 ] || [ "$status" = 137 ]; then
  echo "The tests did not finish within $limit s and were stopped. Still running:"
  # A test that started and never passed or failed; names are matched as Swift Testing prints them.
  awk '
    /^◇ Test (case|run) / { next }
    /^◇ Test .* started\.$/ { name = $0; sub(/^◇ Test /, "", name); sub(/ started\.$/, "", name); running[name] = 1; next }
    /^(✔|✘) Test .* (passed|failed)/ {
      line = $0; sub(/^[^ ]+ Test /, "", line)
      for (name in running) if (index(line, name " ") == 1) delete running[name]
    }
    END { for (name in running) print "  " name }
  ' "$log"
elif [ "$status" != 0 ] && ! grep -q "Test run with" "$log"; then
  # The runner itself failed (a crash, a build problem): its last lines say why.
  tail -30 "$log"
fi
echo "Tests ran for $((SECONDS - started)) s; exit status $status."
exit "$status"
