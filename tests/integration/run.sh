#!/usr/bin/env bash
# Runs every integration test file with a time limit and sums the results.
# Files are independent (each starts its own emulator on a free port and
# mounts in its own directory), so TEST_JOBS of them run at once; their
# output is printed file by file. Prints one "N passed, N failed" line at
# the end; exits non-zero on failure.
set -u
cd "$(dirname "$0")"
limit=${TEST_TIMEOUT:-300}
jobs=${TEST_JOBS:-3}
out=$(mktemp -d /tmp/webrobotfs-run.XXXXXX)
trap 'rm -rf "$out"' EXIT

run_one() { # file: runs it, leaves its output and exit status in $out
    local start=$SECONDS
    timeout -k 10 "$limit" bash "$1" >"$out/$1.log" 2>&1
    echo "$? $((SECONDS - start))" >"$out/$1.rc"
}

running=0
for f in test_*.sh; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
    run_one "$f" &
    running=$((running + 1))
done
wait

passed=0
failed=0
for f in test_*.sh; do
    read -r rc secs <"$out/$f.rc"
    echo "== $f (${secs}s)"
    sed 's/^/   /' "$out/$f.log"
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/$f.log" | tail -1)
    if [ -n "$line" ]; then
        passed=$((passed + $(echo "$line" | awk '{print $1}')))
        failed=$((failed + $(echo "$line" | awk '{print $3}')))
    fi
    if [ "$rc" -ne 0 ] && { [ -z "$line" ] || [ "$(echo "$line" | awk '{print $3}')" = 0 ]; }; then
        echo "   $f exited with status $rc (timeout is 124)"
        failed=$((failed + 1))
    fi
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
