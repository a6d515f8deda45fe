#!/usr/bin/env bash
# Runs every integration test file with a time limit and sums the results.
# Prints one "N passed, N failed" line at the end; exits non-zero on failure.
set -u
cd "$(dirname "$0")"
limit=${TEST_TIMEOUT:-300}
passed=0
failed=0
for f in test_*.sh; do
    echo "== $f"
    out=$(timeout -k 10 "$limit" bash "$f" 2>&1)
    rc=$?
    printf '%s\n' "$out" | sed 's/^/   /'
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
    if [ -n "$line" ]; then
        passed=$((passed + $(echo "$line" | awk '{print $1}')))
        failed=$((failed + $(echo "$line" | awk '{print $3}')))
    fi
    if [ $rc -ne 0 ] && { [ -z "$line" ] || [ "$(echo "$line" | awk '{print $3}')" = 0 ]; }; then
        echo "   $f exited with status $rc (timeout is 124)"
        failed=$((failed + 1))
    fi
done
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
