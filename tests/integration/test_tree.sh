#!/usr/bin/env bash
# The read side of the tree against the emulator: listings match the API,
# files hold what SPEC §3 says, errors map to errno, the key is checked.
. "$(dirname "$0")/lib.sh"

P="$MNT/projects"

t_projects_listing_matches_the_api() {
    local want got
    want=$(curl -s -H "X-API-Key: $KEY" "$EMU_URL/webrobot/api/projects" | jq -r '.[].id' | sort | tr '\n' ' ')
    got=$(ls "$P" | grep -v '^by-name$' | sort | tr '\n' ' ')
    assert_eq "$want" "$got" "project ids"
    ls "$P" | grep -qx by-name
}

t_jobs_listing_matches_the_api() {
    local want got
    want=$(curl -s -H "X-API-Key: $KEY" "$EMU_URL/webrobot/api/projects/id/98/jobs" | jq -r '.[].id' | sort | tr '\n' ' ')
    got=$(ls "$P/98/jobs" | sort | tr '\n' ' ')
    assert_eq "$want" "$got" "job ids of project 98"
    assert_eq "210 211 212 " "$got" "seeded jobs"
}

t_project_directory_has_its_files() {
    assert_eq "jobs metrics.json project.json schedule.json" "$(ls "$P/98" | tr '\n' ' ' | sed 's/ $//')" "project dir"
    assert_eq "execute executions job.json metrics.json status tasks" \
        "$(ls "$P/98/jobs/210" | tr '\n' ' ' | sed 's/ $//')" "job dir"
}

t_by_name_links_to_the_project() {
    assert_eq "../98" "$(readlink "$P/by-name/price-comparison")" "link target"
    assert_eq '"98"' "$(jq .id "$P/by-name/price-comparison/project.json")" "project through the link"
    ls "$P/by-name" | grep -qx inventory-sync
}

t_project_json_is_pretty_json_ending_in_newline() {
    local f="$P/98/project.json"
    jq -e '.name == "price-comparison"' "$f" >/dev/null
    assert_eq "" "$(tail -c1 "$f")" "final newline"
    grep -q '^  "name": "price-comparison",$' "$f"
}

t_stat_size_matches_content() {
    local f
    for f in "$P/98/project.json" "$P/98/jobs/210/job.json" "$P/98/jobs/210/status" "$MNT/health"; do
        assert_eq "$(cat "$f" | wc -c)" "$(stat -c %s "$f")" "size of $f"
        assert_eq "$(cat "$f" | wc -c)" "$(wc -c <"$f")" "wc -c of $f"
    done
}

t_job_status_is_one_word() {
    assert_eq "COMPLETED" "$(cat "$P/98/jobs/210/status")" "job 210"
    assert_eq "FAILED" "$(cat "$P/98/jobs/211/status")" "job 211"
    [ "$(cat "$P/98/jobs/210/status")" = COMPLETED ]
}

t_health_is_the_api_answer() {
    jq -e '.status == "UP"' "$MNT/health" >/dev/null
}

t_unknown_ids_are_enoent_and_cached_briefly() {
    assert_fails_with "No such file or directory" ls "$P/999"
    assert_fails_with "No such file or directory" cat "$P/98/jobs/999/status"
    assert_fails_with "No such file or directory" cat "$P/98/jobs/210/executions/spark-000000000000-00000000/status"
    local before after
    before=$(emu_count "$R_PROJECT")
    for _ in 1 2 3 4 5; do stat "$P/999" >/dev/null 2>&1 || true; done
    after=$(emu_count "$R_PROJECT")
    assert_le 1 $((after - before)) "404 answers are cached (requests for 5 lookups)"
}

t_read_only_files_refuse_writes() {
    assert_fails_with "Permission denied" sh -c "echo x > '$P/98/jobs/210/status'"
    assert_fails_with "Permission denied" sh -c "echo x > '$P/98/metrics.json'"
    assert_fails_with "Permission denied" mkdir "$P/new"
    assert_fails_with "Permission denied" rm "$P/98/project.json"
    assert_fails_with "Permission denied" cat "$P/98/jobs/210/execute"
}

t_stats_files_show_counters() {
    grep -q '^cache_hits: [0-9]*$' "$MNT/.stats"
    grep -q '^requests_get: [0-9]*$' "$MNT/.stats"
    grep -q '^webrobotfs_requests_total{method="GET"} [0-9]*$' "$MNT/.stats.prom"
    grep -q '^# TYPE webrobotfs_cache_hits_total counter$' "$MNT/.stats.prom"
}

t_ls_lR_of_the_whole_tree_draws_no_429() {
    ls -lR "$MNT" >/dev/null
    assert_eq 0 "$(emu_429s)" "429 answers"
}

t_a_key_the_api_refuses_stops_the_mount_with_a_clear_message() {
    unmount_fs
    local out
    if out=$(WEBROBOT_API_KEY=demo:wrong-key timeout 20 "$FS_BIN" -f "$MNT" --url "$EMU_URL" \
             -o state_dir="$STATE" 2>&1); then
        log "mount with a wrong key succeeded"
        mount_fs
        return 1
    fi
    case "$out" in *"refused the API key"*) ;; *) log "got: $out"; mount_fs; return 1 ;; esac
    is_mounted && { log "left mounted"; return 1; }
    case "$out" in *wrong-key*) log "the key was printed"; mount_fs; return 1 ;; esac
    mount_fs
    ls "$P" >/dev/null
}

t_key_is_refused_on_the_command_line() {
    local out
    out=$("$FS_BIN" -o api_key=demo:demo-key "$WORK/nowhere" 2>&1) && return 1
    case "$out" in *"never taken from the command line"*) ;; *) log "got: $out"; return 1 ;; esac
}

t_key_file_readable_by_others_is_refused() {
    local kf="$WORK/key" out
    mkdir -p "$WORK/nowhere"
    printf '%s\n' "$KEY" >"$kf"
    chmod 644 "$kf"
    out=$(env -u WEBROBOT_API_KEY "$FS_BIN" -f -o api_key_file="$kf" --url "$EMU_URL" "$WORK/nowhere" 2>&1) && return 1
    case "$out" in *"private"*) ;; *) log "got: $out"; return 1 ;; esac
}

start_emu --run-seconds 3
mount_fs
run_tests
