#!/usr/bin/env bash
# Starting runs by writing `execute`, following them, and the journal:
# SPEC §3 rules for execute, wait, logs and executions/latest.
. "$(dirname "$0")/lib.sh"

J="$MNT/projects/98/jobs"

posts() { emu_count "$R_EXECUTE"; }

t_execute_starts_a_run_that_latest_and_wait_follow() {
    local before id
    before=$(posts)
    echo >"$J/210/execute"
    assert_eq $((before + 1)) "$(posts)" "POSTs sent"
    id=$(readlink "$J/210/executions/latest")
    [ -n "$id" ]
    ls "$J/210/executions" | grep -qx "$id"
    case "$(cat "$J/210/executions/$id/status")" in
    PENDING|RUNNING) ;;
    *) log "new run status: $(cat "$J/210/executions/$id/status")"; return 1 ;;
    esac
    assert_eq COMPLETED "$(timeout 30 cat "$J/210/executions/latest/wait")" "wait"
    assert_eq COMPLETED "$(cat "$J/210/executions/$id/status")" "status after wait"
    assert_eq "" "$(cat "$J/210/executions/$id/error")" "error of a completed run"
    jq -e '.status == "COMPLETED"' "$J/210/executions/$id/status.json" >/dev/null
}

t_failing_job_waits_to_failed_with_an_error() {
    echo >"$J/211/execute"
    assert_eq FAILED "$(timeout 30 cat "$J/211/executions/latest/wait")" "wait"
    grep -q OutOfMemoryError "$J/211/executions/latest/error"
}

t_tail_f_shows_driver_lines_before_the_run_completes() {
    echo >"$J/212/execute"
    local d="$J/212/executions/latest" out="$WORK/tail.out" tail_pid seen_running=no
    timeout 30 tail -f "$d/logs/driver" >"$out" 2>&1 &
    tail_pid=$!
    local i
    for i in $(seq 1 100); do
        if [ -s "$out" ] && [ "$(cat "$d/status")" = RUNNING ]; then
            seen_running=yes
            break
        fi
        sleep 0.1
    done
    assert_eq yes "$seen_running" "lines seen while RUNNING"
    timeout 30 cat "$d/wait" >/dev/null
    sleep 2.5   # tail -f polls once a second
    kill "$tail_pid" 2>/dev/null
    wait "$tail_pid" 2>/dev/null || true
    assert_eq "$(cat "$d/logs/driver" | md5sum)" "$(md5sum <"$out")" "tail -f saw the whole log"
    assert_ge 10 "$(wc -l <"$out")" "driver lines"
}

t_second_execute_while_running_is_ebusy() {
    echo >"$MNT/projects/101/jobs/310/execute"
    assert_fails_with "Device or resource busy" bash -c "echo > '$MNT/projects/101/jobs/310/execute'"
    timeout 30 cat "$MNT/projects/101/jobs/310/executions/latest/wait" >/dev/null
}

t_invalid_json_is_einval_and_sends_nothing() {
    local before
    before=$(posts)
    assert_fails_with "Invalid argument" bash -c "printf '{nope}' > '$J/210/execute'"
    assert_fails_with "Invalid argument" bash -c "echo '[1,2]' > '$J/210/execute'"
    assert_fails_with "Invalid argument" bash -c "echo '{\"arguments\": 5}' > '$J/210/execute'"
    assert_eq "$before" "$(posts)" "POSTs after invalid requests"
}

t_incomplete_json_at_close_is_einval_and_sends_nothing() {
    local before
    before=$(posts)
    assert_fails_with "Invalid argument" bash -c "printf '{\"arguments\":[\"a\"' | dd of='$J/210/execute' status=none"
    assert_eq "$before" "$(posts)" "POSTs after an incomplete request"
}

t_truncating_execute_sends_nothing() {
    local before
    before=$(posts)
    : >"$J/210/execute"
    assert_eq "$before" "$(posts)" "POSTs after : > execute"
}

t_json_split_over_writes_sends_one_post_with_the_arguments() {
    local before
    before=$(posts)
    exec 3>"$MNT/projects/101/jobs/311/execute"
    printf '{"argu' >&3
    printf 'ments":["--date",' >&3
    printf '"2026-12-03"]}\n' >&3
    exec 3>&-
    assert_eq $((before + 1)) "$(posts)" "POSTs for one split request"
    curl -s "$EMU_URL/_emu/log" | jq -e '[.[] | select(.method == "POST")] | last | .path | endswith("/jobs/311/execute")' >/dev/null
    timeout 30 cat "$MNT/projects/101/jobs/311/executions/latest/wait" >/dev/null
}

t_unknown_execution_id_is_enoent() {
    assert_fails_with "No such file or directory" cat "$J/210/executions/spark-ffffffffffff-99999999/status"
    assert_fails_with "No such file or directory" ls "$J/210/executions/nope"
}

t_an_execution_looked_up_by_id_is_remembered() {
    local id other
    echo >"$MNT/projects/102/jobs/410/execute"
    id=$(readlink "$MNT/projects/102/jobs/410/executions/latest")
    timeout 30 cat "$MNT/projects/102/jobs/410/executions/$id/wait" >/dev/null
    # forget it: a fresh state dir, then look it up by id
    unmount_fs
    mv "$STATE" "$STATE.old"
    mkdir "$STATE"
    mount_fs
    assert_eq "" "$(ls "$MNT/projects/102/jobs/410/executions")" "a new journal knows nothing"
    assert_eq COMPLETED "$(cat "$MNT/projects/102/jobs/410/executions/$id/status")" "direct lookup"
    assert_eq "$id" "$(ls "$MNT/projects/102/jobs/410/executions" | grep -v latest)" "remembered"
    unmount_fs
    rm -rf "$STATE"
    mv "$STATE.old" "$STATE"
    mount_fs
}

t_completed_run_costs_one_request_however_often_read() {
    local d="$J/210/executions/latest" before_s before_l
    echo >"$J/210/execute"
    timeout 30 cat "$d/wait" >/dev/null
    cat "$d/status" "$d/logs/driver" >/dev/null
    before_s=$(emu_count "$R_STATUS")
    before_l=$(emu_count "$R_LOGS")
    for _ in $(seq 1 50); do cat "$d/status" "$d/logs/driver" >/dev/null; done
    assert_eq "$before_s" "$(emu_count "$R_STATUS")" "status requests for 50 reads"
    assert_eq "$before_l" "$(emu_count "$R_LOGS")" "log requests for 50 reads"
}

t_remount_still_lists_the_runs() {
    local before after latest
    echo >"$J/212/execute"
    timeout 30 cat "$J/212/executions/latest/wait" >/dev/null
    before=$(ls "$J/212/executions" | sort | tr '\n' ' ')
    latest=$(readlink "$J/212/executions/latest")
    unmount_fs
    mount_fs
    after=$(ls "$J/212/executions" | sort | tr '\n' ' ')
    assert_eq "$before" "$after" "executions after remount"
    assert_eq "$latest" "$(readlink "$J/212/executions/latest")" "latest after remount"
}

t_wait_is_interrupted_by_ctrl_c() {
    echo >"$MNT/projects/98/jobs/210/execute"
    local pid start end
    start=$(date +%s%N)
    set -m      # job control: background jobs must not ignore SIGINT
    cat "$J/210/executions/latest/wait" >/dev/null 2>&1 &
    pid=$!
    set +m
    sleep 0.5
    kill -INT "$pid"
    wait_pid "$pid" 30 || { kill -9 "$pid"; log "cat wait ignored SIGINT"; return 1; }
    end=$(date +%s%N)
    assert_le 2000 $(((end - start) / 1000000)) "ms until cat wait ended"
    timeout 30 cat "$J/210/executions/latest/wait" >/dev/null
}

start_emu --run-seconds 3
mount_fs
run_tests
