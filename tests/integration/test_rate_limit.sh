#!/usr/bin/env bash
# The client-side limiter against an emulator with the same small budget:
# a burst three times the budget draws no 429, never exceeds the budget, every
# read ends with data or a documented errno, and a write still gets through.
. "$(dirname "$0")/lib.sh"

RATE=60

# The largest number of requests the emulator received within any 60 s.
max_in_any_window() {
    curl -s "$EMU_URL/_emu/log" | jq '[.[].t_ms] | sort | . as $t
        | [range(length) as $i | [$t[] | select(. >= $t[$i] and . < $t[$i] + 60000)] | length]
        | max // 0'
}

t_a_burst_of_three_times_the_budget_draws_no_429() {
    local ids="$WORK/ids" results="$WORK/results"
    for i in $(seq 1 $((RATE * 3))); do printf 'spark-%012d-%08d\n' "$i" "$i"; done >"$ids"
    # the user is in the job's directory already (its documents are cached)
    ls "$MNT/projects/98/jobs/212" >/dev/null
    emu_reset
    # 180 distinct uncached files, 20 readers at a time
    xargs -P 20 -I{} sh -c 'cat "$1/{}/status" >/dev/null 2>"$2.{}"; echo "{} $?" >>"$2"' _ \
        "$MNT/projects/98/jobs/210/executions" "$results" <"$ids"
    # the reads have spent their budget; a write still gets through
    assert_fails_with "Resource temporarily unavailable" cat "$MNT/projects/98/jobs/210/executions/spark-x/status"
    echo >"$MNT/projects/98/jobs/212/execute"
    assert_eq 0 "$(emu_429s)" "429 answers"
    assert_le "$RATE" "$(max_in_any_window)" "most requests the emulator saw in any 60 s window"
    assert_ge $((RATE / 2)) "$(emu_total)" "requests sent (the burst used the budget)"
    assert_eq 1 "$(emu_count "$R_EXECUTE")" "the execute sent during the storm"
    assert_eq $((RATE * 3)) "$(wc -l <"$results")" "reads that ended"
    # every read ended with ENOENT (answered: unknown id) or EAGAIN (throttled)
    local other
    other=$(cat "$WORK"/results.* | grep -v -e 'No such file or directory' -e 'Resource temporarily unavailable' | head -3)
    assert_eq "" "$other" "unexpected errors"
    grep -q 'Resource temporarily unavailable' "$WORK"/results.*
}

start_emu --rate "$RATE" --run-seconds 2
mount_fs -o rate="$RATE",timeout=2
run_tests
