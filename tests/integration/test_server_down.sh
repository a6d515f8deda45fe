#!/usr/bin/env bash
# The server goes away: cached files still read (stale), uncached ones fail
# with EIO within the timeout, nothing hangs, and the mount recovers when the
# server is back.
. "$(dirname "$0")/lib.sh"

P="$MNT/projects/98"

t_stale_copies_serve_and_uncached_reads_fail_with_eio_in_time() {
    local before start ms port
    before=$(cat "$P/project.json")
    port=${EMU_URL##*:}
    stop_emu
    sleep 1.2   # past doc_ttl: the copy is stale now
    assert_eq "$before" "$(timeout 10 cat "$P/project.json")" "stale project.json"
    grep -q '^cache_stale: [1-9]' "$MNT/.stats"
    start=$(date +%s%N)
    assert_fails_with "Input/output error" timeout 20 cat "$MNT/projects/101/schedule.json"
    ms=$((($(date +%s%N) - start) / 1000000))
    assert_le 4500 "$ms" "ms until EIO (timeout=3)"
    # the server comes back on the same port: reads recover without a remount
    EMU_PORT=$port start_emu --run-seconds 2
    # reads fail fast for 2 s after the last request got no answer, then probe
    retry_until 50 jq -e '.cronSchedule != null' "$MNT/projects/101/schedule.json" >/dev/null 2>&1
}

start_emu --run-seconds 2
mount_fs -o timeout=3,doc_ttl=1,list_ttl=1
run_tests
