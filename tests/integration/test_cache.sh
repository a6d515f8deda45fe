#!/usr/bin/env bash
# The cache and the limiter seen from the emulator (SPEC §4): concurrent
# readers share one request, finished runs are fetched once, writes show at
# once, and .stats counts what happened.
. "$(dirname "$0")/lib.sh"

J="$MNT/projects/98/jobs"

t_fifty_concurrent_readers_of_a_running_status_cost_one_request() {
    echo >"$J/210/execute"
    local id before pids="" i
    id=$(readlink "$J/210/executions/latest")
    sleep 1.2       # let anything cached by execute/readlink expire (status_ttl=1)
    before=$(emu_count "$R_STATUS")
    for i in $(seq 1 50); do
        cat "$J/210/executions/$id/status" >"$WORK/reader.$i" &
        pids="$pids $!"
    done
    wait $pids
    assert_eq 1 $(($(emu_count "$R_STATUS") - before)) "status requests for 50 readers"
    for i in $(seq 1 50); do
        case "$(cat "$WORK/reader.$i")" in PENDING|RUNNING) ;; *) log "reader $i: $(cat "$WORK/reader.$i")"; return 1 ;; esac
    done
    timeout 60 cat "$J/210/executions/$id/wait" >/dev/null
}

t_a_finished_run_is_fetched_once_for_200_reads() {
    echo >"$J/212/execute"
    local d="$J/212/executions/latest" s l a
    timeout 60 cat "$d/wait" >/dev/null
    s=$(emu_count "$R_STATUS")
    l=$(emu_count "$R_LOGS")
    for _ in $(seq 1 200); do cat "$d/status" "$d/logs/driver" >/dev/null; done
    a=$(emu_count "$R_STATUS")
    assert_le 1 $((a - s)) "status requests for 200 reads"
    assert_le 1 $(($(emu_count "$R_LOGS") - l)) "driver log requests for 200 reads"
    # and they stay cached: another 200 cost nothing at all
    s=$(emu_count "$R_STATUS"); l=$(emu_count "$R_LOGS")
    for _ in $(seq 1 200); do cat "$d/status" "$d/logs/driver" >/dev/null; done
    assert_eq "$s" "$(emu_count "$R_STATUS")" "status requests, second 200"
    assert_eq "$l" "$(emu_count "$R_LOGS")" "log requests, second 200"
}

t_a_new_run_shows_in_executions_at_once() {
    local before after
    ls "$MNT/projects/101/jobs/310/executions" >/dev/null
    before=$(ls "$MNT/projects/101/jobs/310/executions" | grep -vc latest || true)
    echo >"$MNT/projects/101/jobs/310/execute"
    after=$(ls "$MNT/projects/101/jobs/310/executions" | grep -vc latest || true)
    assert_eq $((before + 1)) "$after" "executions listed right after execute"
    assert_eq RUNNING_OR_PENDING "$(case $(cat "$MNT/projects/101/jobs/310/status") in RUNNING|PENDING) echo RUNNING_OR_PENDING;; *) cat "$MNT/projects/101/jobs/310/status";; esac)" \
        "job status right after execute (job document invalidated)"
    timeout 60 cat "$MNT/projects/101/jobs/310/executions/latest/wait" >/dev/null
}

t_polling_a_listing_is_served_from_the_cache() {
    local before
    ls "$MNT/projects" >/dev/null
    before=$(emu_count "$R_PROJECTS")
    for _ in $(seq 1 100); do ls "$MNT/projects" >/dev/null; done
    assert_le 1 $(($(emu_count "$R_PROJECTS") - before)) "listing requests for 100 ls (list_ttl=5)"
}

t_stats_count_hits_and_requests() {
    local hits before_hits gets
    before_hits=$(sed -n 's/^cache_hits: //p' "$MNT/.stats")
    for _ in $(seq 1 20); do cat "$MNT/projects/98/project.json" >/dev/null; done
    hits=$(sed -n 's/^cache_hits: //p' "$MNT/.stats")
    assert_ge $((before_hits + 19)) "$hits" "cache hits after 20 reads"
    gets=$(sed -n 's/^requests_get: //p' "$MNT/.stats")
    assert_eq "$(emu_stats | jq '[.routes | to_entries[] | select(.key | startswith("GET")) | .value] | add')" "$gets" \
        "GETs the mount counted vs GETs the emulator received"
    grep -q "^webrobotfs_cache_hits_total $hits$" "$MNT/.stats.prom" ||
        grep -q "^webrobotfs_cache_hits_total $((hits + 0))" "$MNT/.stats.prom"
}

start_emu --run-seconds 4
mount_fs -o status_ttl=1
run_tests
