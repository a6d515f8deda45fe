#!/usr/bin/env bash
# Fault injection (SPEC §3 errno mapping, §4 "no hang"): the emulator's
# /_emu/fault makes the API slow, failing, resetting, truncating, malformed,
# huge, dripping, rate limited or hung, and each test drives the mount
# through it and asserts the errno (by its error text), a time bound, and
# what the emulator received. Mounted with timeout=3, so "in time" means
# within BOUND_MS = timeout + 2 s.
#
# Most faults are scoped to one record path (only_path_prefix) so the
# counts are exact and the directories above stay healthy; the stale-copy
# tests and the "deep path" test put the whole server at fault.
. "$(dirname "$0")/lib.sh"

TIMEOUT_S=3
BOUND_MS=$(((TIMEOUT_S + 2) * 1000))
P="$MNT/projects/98"
R_REC="GET /api/strapi-tables/{table}/{id}"
REC_PREFIX="/api/strapi-tables/products/"
EXECUTE_PATH="/webrobot/api/projects/id/98/jobs/210/execute"
STALE_FILE="$MNT/cloud/spark/info.json"  # its directories cost no request

# --- helpers ---------------------------------------------------------------

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# fault_set JSON: replace the emulator's faults; fails if it refuses them.
fault_set() {
    local code
    code=$(curl -s -o "$WORK/fault.out" -w '%{http_code}' --max-time 5 \
        -X POST "$EMU_URL/_emu/fault" -d "$1")
    [ "$code" = 200 ] && return 0
    log "FAIL: emulator refused fault $1: $code $(cat "$WORK/fault.out")"
    return 1
}

fault_clear() { curl -s --max-time 5 -X DELETE "$EMU_URL/_emu/fault" >/dev/null; }

# begin [SECONDS]: every test starts from no fault and clean emulator
# counters, and clears its fault on the way out whatever happens (then
# sleeps SECONDS, so a 429 pause it caused is over for the next test).
begin() {
    fault_clear
    emu_reset
    trap "fault_clear; sleep ${1:-0}" EXIT
}

rec() { echo "$MNT/tables/products/$1.json"; }

# stat_of NAME: a counter from the mount's .stats.
stat_of() { sed -n "s/^$1: //p" "$MNT/.stats"; }

emu_faulted() { emu_stats | jq '.faulted'; }

# emu_log_for PATH: the statuses the emulator answered on PATH, in order.
emu_log_for() {
    curl -s --max-time 5 "$EMU_URL/_emu/log" |
        jq -r --arg p "$1" '[.[] | select(.path == $p) | .status] | join(" ")'
}

# timed_fail "errno text" MAX_MS cmd...: the command fails with that
# error within MAX_MS milliseconds. Sets ELAPSED_MS.
timed_fail() {
    local want=$1 max=$2 start
    shift 2
    start=$(now_ms)
    assert_fails_with "$want" "$@" || { ELAPSED_MS=$(($(now_ms) - start)); return 1; }
    ELAPSED_MS=$(($(now_ms) - start))
    log "'$*' -> $want in $ELAPSED_MS ms"
    assert_le "$max" "$ELAPSED_MS" "ms until '$want'"
}

# timed_read FILE MAX_MS: cat FILE into $OUT within MAX_MS. Sets ELAPSED_MS.
timed_read() {
    local start rc=0
    start=$(now_ms)
    OUT=$(timeout 60 cat "$1" 2>"$WORK/read.err") || rc=$?
    ELAPSED_MS=$(($(now_ms) - start))
    if [ "$rc" -ne 0 ]; then
        log "FAIL: cat $1 failed after $ELAPSED_MS ms: $(cat "$WORK/read.err")"
        return 1
    fi
    assert_le "$2" "$ELAPSED_MS" "ms to read $1"
}

# is_record N: $OUT is the JSON of products record N.
is_record() {
    printf '%s' "$OUT" | jq -e --argjson n "$1" '.id == $n' >/dev/null && return 0
    log "FAIL: expected products record $1, got: $(printf '%s' "$OUT" | head -c 200)"
    return 1
}

mount_answers() {
    kill -0 "$FS_PID" 2>/dev/null || { log "FAIL: webrobotfs (pid $FS_PID) is gone"; return 1; }
    is_mounted || { log "FAIL: not mounted any more"; return 1; }
    timeout 10 ls "$MNT/projects" | grep -qx 98 || { log "FAIL: ls projects does not show 98"; return 1; }
    timeout 10 cat "$MNT/.stats" >/dev/null
}

# --- latency ---------------------------------------------------------------

t_latency_below_the_timeout_still_reads() {
    begin
    fault_set "{\"latency_ms\":1500,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_read "$(rec 31)" "$BOUND_MS"
    is_record 31
    assert_ge 1400 "$ELAPSED_MS" "ms (the 1.5 s latency applied)"
    assert_eq 1 "$(emu_count "$R_REC")" "record requests (a slow answer is not re-sent)"
    assert_eq 1 "$(emu_faulted)" "faulted requests"
}

t_latency_above_the_timeout_fails_with_eio_in_time() {
    begin
    fault_set "{\"latency_ms\":8000,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_fail "Input/output error" "$BOUND_MS" cat "$(rec 32)"
    assert_ge $((TIMEOUT_S * 1000 - 500)) "$ELAPSED_MS" "ms (it waited for the timeout)"
    assert_eq 1 "$(emu_count "$R_REC")" "record requests (no retry past the deadline)"
    mount_answers
}

# --- 5xx -------------------------------------------------------------------

# Seed 9 draws at most two faults in a row for the first 20 requests, so no
# record needs more than 3 retries (at most 1.75 s of backoff, well inside
# the 3 s timeout) whatever the backoff jitter.
t_server_errors_on_half_the_gets_are_retried_away() {
    begin
    local n retries_before retried=0 statuses
    retries_before=$(stat_of retries)
    fault_set "{\"error_rate\":0.5,\"seed\":9,\"only_path_prefix\":\"$REC_PREFIX\"}"
    for n in 33 34 35 36 37; do
        timed_read "$(rec $n)" "$BOUND_MS"
        is_record "$n"
        statuses=$(emu_log_for "/api/strapi-tables/products/$n")
        log "products/$n: statuses $statuses"
        case "$statuses" in *200) ;; *) log "FAIL: last answer for $n was not 200"; return 1 ;; esac
        case "$statuses" in *" "*) retried=$((retried + 1)) ;; esac
    done
    assert_ge 1 "$retried" "records that needed a retry"
    # every request beyond one per record met an injected 5xx
    assert_eq $(($(emu_count "$R_REC") - 5)) "$(emu_faulted)" "requests beyond one per record vs faulted"
    assert_ge $((retries_before + $(emu_faulted))) "$(stat_of retries)" ".stats retries"
}

# A request that changes something is never repeated after the server may
# have acted on it: one POST however the API fails.
t_an_execute_that_meets_a_server_error_is_sent_exactly_once() {
    begin
    local code
    for code in 500 502 503; do
        emu_reset
        fault_set "{\"error_rate\":1.0,\"error_codes\":[$code],\"only_path_prefix\":\"$EXECUTE_PATH\"}"
        timed_fail "Input/output error" "$BOUND_MS" bash -c 'echo >"$1"' _ "$P/jobs/210/execute"
        assert_eq 1 "$(emu_count "$R_EXECUTE")" "POSTs to execute after a $code"
        assert_eq 1 "$(emu_faulted)" "faulted requests after a $code"
    done
    # nothing started: the job takes a run once the fault is gone
    fault_clear
    emu_reset
    echo >"$P/jobs/210/execute"
    assert_eq 1 "$(emu_count "$R_EXECUTE")" "POSTs to execute without a fault"
    timeout 30 cat "$P/jobs/210/executions/latest/wait" >/dev/null
}

# --- connection resets -----------------------------------------------------

# The server may have acted on a request whose connection then dropped: the
# POST must not be sent again (whoever would resend it: the mount or libcurl,
# which silently re-sends a request that got nothing on a reused connection).
t_an_execute_whose_connection_is_reset_is_sent_exactly_once() {
    begin
    local i sent_before
    cat "$P/jobs/210/job.json" >/dev/null   # connections to reuse
    sent_before=$(stat_of requests_post)
    fault_set "{\"reset_rate\":1.0,\"only_path_prefix\":\"$EXECUTE_PATH\"}"
    for i in 1 2 3; do
        timed_fail "Input/output error" "$BOUND_MS" bash -c 'echo >"$1"' _ "$P/jobs/210/execute"
    done
    log "the mount counted $(($(stat_of requests_post) - sent_before)) POSTs, the emulator received $(emu_count "$R_EXECUTE")"
    assert_eq 3 "$(emu_count "$R_EXECUTE")" "POSTs to execute received for 3 writes that met a reset"
}

t_connection_resets_on_half_the_gets_are_retried_away() {
    begin
    local n retries_before statuses
    retries_before=$(stat_of retries)
    fault_set "{\"reset_rate\":0.5,\"seed\":9,\"only_path_prefix\":\"$REC_PREFIX\"}"
    for n in 41 42 43 44 45; do
        timed_read "$(rec $n)" "$BOUND_MS"
        is_record "$n"
        statuses=$(emu_log_for "/api/strapi-tables/products/$n")
        log "products/$n: statuses $statuses"
    done
    assert_ge 6 "$(emu_count "$R_REC")" "record requests (some were retried)"
    assert_eq $(($(emu_count "$R_REC") - 5)) "$(emu_faulted)" "requests beyond one per record vs resets"
    # Who re-sent: libcurl itself re-sends a GET once when a kept-alive
    # connection answers nothing (the mount then sees no error), the mount
    # re-sends otherwise. Between them, every reset was made good.
    local by_mount=$(($(stat_of retries) - retries_before))
    assert_le "$(emu_faulted)" "$by_mount" ".stats retries (the mount's re-sends, at most one per reset)"
}

t_connection_resets_on_every_get_fail_with_eio_in_time() {
    begin
    fault_set "{\"reset_rate\":1.0,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_fail "Input/output error" "$BOUND_MS" cat "$(rec 46)"
    # retried with backoff (125-250 ms doubling: at most 5 tries in 3 s for
    # one request; a lookup and an open may each make theirs), not hammered
    assert_ge 2 "$(emu_count "$R_REC")" "record requests (retried)"
    assert_le 10 "$(emu_count "$R_REC")" "record requests (backoff schedule in 3 s)"
    mount_answers
}

# --- spoiled bodies --------------------------------------------------------

t_a_body_cut_short_fails_with_eio_without_hanging() {
    begin
    fault_set "{\"truncate_rate\":1.0,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_fail "Input/output error" "$BOUND_MS" cat "$(rec 47)"
    assert_ge 2 "$(emu_count "$R_REC")" "record requests (a cut GET is retried)"
    assert_le 7 "$(emu_count "$R_REC")" "record requests (backoff schedule in 3 s)"
    # nothing half-read was kept: the whole record once the fault is gone
    fault_clear
    timed_read "$(rec 47)" "$BOUND_MS"
    is_record 47
}

# A 200 whose JSON is cut in half: the code serves the body as received
# (render_json falls back to the raw bytes); a clean EIO would do as well.
# Either way: no crash, no hang, and the mount answers afterwards.
t_malformed_json_neither_crashes_nor_hangs_the_mount() {
    begin
    local full rc=0 start
    full=$(curl -s --max-time 5 -H "X-API-Key: $KEY" "$EMU_URL/api/strapi-tables/products/48")
    printf '%s' "$full" | jq -e '.id == 48' >/dev/null
    emu_reset
    fault_set "{\"malformed_rate\":1.0,\"only_path_prefix\":\"$REC_PREFIX\"}"
    start=$(now_ms)
    OUT=$(timeout 60 cat "$(rec 48)" 2>"$WORK/read.err") || rc=$?
    ELAPSED_MS=$(($(now_ms) - start))
    assert_le "$BOUND_MS" "$ELAPSED_MS" "ms to answer a malformed body"
    if [ "$rc" -eq 0 ]; then
        log "malformed body served as received (${#OUT} bytes) in $ELAPSED_MS ms"
        assert_eq "${full:0:$((${#full} / 2))}" "$OUT" "the malformed record (first half of the body)"
    else
        assert_eq "Input/output error" "$(sed 's/.*: //' "$WORK/read.err")" "error for a malformed body"
    fi
    assert_eq 1 "$(emu_count "$R_REC")" "record requests"
    fault_clear
    mount_answers
    sleep 1.2   # past doc_ttl: the malformed copy, if kept, has expired
    timed_read "$(rec 48)" "$BOUND_MS"
    is_record 48
}

# A listing whose JSON is cut in half must not make the directory look
# empty (files vanishing is worse than an error): the stale listing or EIO.
t_a_malformed_listing_does_not_empty_the_directory() {
    begin
    local listing rc=0
    listing=$(ls "$MNT/projects")
    case "$listing" in *98*) ;; *) log "FAIL: no project 98 before the fault"; return 1 ;; esac
    sleep 1.2   # past list_ttl
    fault_set '{"malformed_rate":1.0,"only_path_prefix":"/webrobot/api/projects"}'
    OUT=$(timeout 20 ls "$MNT/projects" 2>"$WORK/ls.err") || rc=$?
    log "ls projects during the fault (rc $rc): $(echo $OUT) $(cat "$WORK/ls.err")"
    if [ "$rc" -eq 0 ]; then
        assert_eq "$listing" "$OUT" "projects listed while the listing answer is malformed"
    else
        grep -q "Input/output error" "$WORK/ls.err"
    fi
}

t_a_huge_body_is_refused_without_being_buffered() {
    begin
    local hwm
    # over max_body=1M: refused at once, not retried, never held whole
    fault_set "{\"huge_body_bytes\":300000000,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_fail "File too large" 2000 cat "$(rec 51)"
    assert_eq 1 "$(emu_count "$R_REC")" "record requests (a refused body is not re-fetched)"
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$FS_PID/status")
    log "webrobotfs VmHWM after a 300 MB answer: $hwm kB"
    assert_le $((60 * 1024)) "$hwm" "webrobotfs peak RSS in kB"
    # under max_body: read whole
    fault_set "{\"huge_body_bytes\":600000,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_read "$(rec 52)" "$BOUND_MS"
    is_record 52
    assert_ge 600000 "${#OUT}" "bytes of a padded record under max_body"
    mount_answers
}

t_a_slow_drip_fails_with_eio_in_time() {
    begin
    fault_set "{\"drip_bytes_per_sec\":20,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_fail "Input/output error" "$BOUND_MS" cat "$(rec 53)"
    assert_ge $((TIMEOUT_S * 1000 - 500)) "$ELAPSED_MS" "ms (it waited for the timeout)"
    assert_eq 1 "$(emu_count "$R_REC")" "record requests (no retry past the deadline)"
    mount_answers
}

# --- 429 storms -------------------------------------------------------------

# Two readers for 4 s against a server that answers every record with 429
# and Retry-After: 2. Every read fails with EAGAIN in time; the mount pauses
# all requests for the Retry-After, so the emulator sees a few bursts two
# seconds apart, not hundreds of requests.
t_a_429_storm_with_retry_after_fails_with_eagain_after_a_handful_of_requests() {
    begin 2.5
    local seen_before end r gaps pids="" ok=1 p
    seen_before=$(stat_of responses_429)
    fault_set "{\"rate429\":1.0,\"retry_after\":2,\"only_path_prefix\":\"$REC_PREFIX\"}"
    end=$(($(now_ms) + 4000))
    for r in 0 1; do
        (
            n=$((61 + r * 10))
            while [ "$(now_ms)" -lt "$end" ]; do
                timed_fail "Resource temporarily unavailable" "$BOUND_MS" cat "$(rec $n)" || exit 1
                n=$((n + 1))
            done
        ) &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p" || ok=0; done
    assert_eq 1 "$ok" "every read in the storm failed with EAGAIN in time"
    log "emulator: $(emu_count "$R_REC") record requests, $(emu_429s) answered 429"
    assert_ge 2 "$(emu_count "$R_REC")" "record requests in the storm"
    assert_le 8 "$(emu_count "$R_REC")" "record requests in 4 s (Retry-After: 2)"
    assert_eq "$(emu_count "$R_REC")" "$(emu_429s)" "429s the emulator sent"
    assert_eq $((seen_before + $(emu_429s))) "$(stat_of responses_429)" ".stats responses_429"
    # requests come in bursts at least a Retry-After apart
    gaps=$(curl -s "$EMU_URL/_emu/log" | jq -c '[.[] | select(.path | startswith("/api/strapi-tables/products/")) | .t_ms]
        | [range(1; length) as $i | .[$i] - .[$i - 1]] | map(select(. > 300 and . < 1800))')
    assert_eq "[]" "$gaps" "gaps between 0.3 and 1.8 s between requests"
    fault_clear
    timed_read "$(rec 80)" "$BOUND_MS"   # waits out the pause, then reads
    is_record 80
}

t_a_429_storm_with_retry_after_pauses_then_reads_succeed_when_it_ends() {
    begin 1.5
    local seen_before
    seen_before=$(stat_of responses_429)
    fault_set "{\"rate429\":1.0,\"retry_after\":1,\"only_path_prefix\":\"$REC_PREFIX\"}"
    (sleep 1.5; fault_clear) &
    timed_read "$(rec 81)" "$BOUND_MS"
    wait
    is_record 81
    assert_ge 1400 "$ELAPSED_MS" "ms (the read waited for the storm to end)"
    assert_ge 2 "$(emu_count "$R_REC")" "record requests"
    assert_le 3 "$(emu_count "$R_REC")" "record requests (one per Retry-After)"
    assert_eq $(($(emu_count "$R_REC") - 1)) "$(emu_429s)" "429s before the answer"
    assert_eq $((seen_before + $(emu_429s))) "$(stat_of responses_429)" ".stats responses_429"
}

t_a_429_storm_without_retry_after_backs_off_then_reads_succeed_when_it_ends() {
    begin 4.5
    local seen_before n
    seen_before=$(stat_of responses_429)
    fault_set "{\"rate429\":1.0,\"retry_after\":null,\"only_path_prefix\":\"$REC_PREFIX\"}"
    # a storm that lasts: EAGAIN in time, after a backoff schedule's worth
    timed_fail "Resource temporarily unavailable" "$BOUND_MS" cat "$(rec 82)"
    n=$(emu_count "$R_REC")
    assert_ge 2 "$n" "record requests (retried)"
    assert_le 7 "$n" "record requests in 3 s (250 ms backoff doubling)"
    assert_eq "$n" "$(emu_429s)" "429s the emulator sent"
    assert_eq $((seen_before + n)) "$(stat_of responses_429)" ".stats responses_429"
    # a storm that ends during the read: it succeeds
    emu_reset
    (sleep 1; fault_clear) &
    timed_read "$(rec 83)" "$BOUND_MS"
    wait
    is_record 83
    assert_le 7 "$(emu_count "$R_REC")" "record requests"
}

# --- hangs -----------------------------------------------------------------

t_a_hung_server_gives_eio_in_time() {
    begin
    fault_set "{\"hang\":true,\"only_path_prefix\":\"$REC_PREFIX\"}"
    timed_fail "Input/output error" "$BOUND_MS" cat "$(rec 84)"
    assert_ge $((TIMEOUT_S * 1000 - 500)) "$ELAPSED_MS" "ms (it waited for the timeout)"
    assert_eq 1 "$(emu_count "$R_REC")" "record requests (a timed-out GET is not re-sent)"
    mount_answers
}

t_ctrl_c_stops_a_read_blocked_on_a_hung_server() {
    begin
    local pid rc=0 start ms
    fault_set "{\"hang\":true,\"only_path_prefix\":\"$REC_PREFIX\"}"
    set -m      # a background job that does not ignore SIGINT
    cat "$(rec 85)" >/dev/null 2>"$WORK/intr.err" &
    pid=$!
    set +m
    sleep 0.5
    kill -0 "$pid" 2>/dev/null || { log "FAIL: cat did not block on the hung server"; return 1; }
    start=$(now_ms)
    kill -INT "$pid"
    wait "$pid" 2>/dev/null || rc=$?
    ms=$(($(now_ms) - start))
    log "cat ended $ms ms after SIGINT (status $rc)"
    assert_le 1500 "$ms" "ms from SIGINT to the end of cat"
    assert_eq 130 "$rc" "exit status of the interrupted cat"
    assert_eq 1 "$(emu_count "$R_REC")" "record requests (no retry after the interrupt)"
    fault_clear
    timed_read "$(rec 85)" "$BOUND_MS"
    is_record 85
}

# A read below directories whose cached checks are stale still fails
# within the timeout: each stale directory must not cost a timeout of its own.
t_an_uncached_file_below_stale_directories_fails_in_time_on_a_hung_server() {
    begin
    ls "$P/jobs" >/dev/null
    cat "$P/project.json" >/dev/null
    sleep 1.2   # past doc_ttl, list_ttl and the kernel's entry timeout
    fault_set '{"hang":true}'
    timed_fail "Input/output error" "$BOUND_MS" cat "$P/jobs/211/job.json"
}

# --- recovery --------------------------------------------------------------

t_a_read_that_failed_succeeds_once_the_fault_is_cleared() {
    begin
    local pid
    pid=$FS_PID
    fault_set '{"error_rate":1.0}'
    timed_fail "Input/output error" "$BOUND_MS" cat "$(rec 86)"
    fault_clear
    timed_read "$(rec 86)" "$BOUND_MS"
    is_record 86
    assert_eq "$pid" "$(cat "$WORK/fs.pid")" "webrobotfs pid (no remount)"
    mount_answers
}

# --- stale copies during every fault ----------------------------------------

# stale_read_during JSON: a file read before the fault and now past its TTL
# reads the same, within the bound, while the whole server is at fault.
stale_read_during() {
    local before stale_before
    retry_until 60 jq -e . "$STALE_FILE" >/dev/null 2>&1   # a good, fresh copy
    before=$(cat "$STALE_FILE")
    # past doc_ttl, the kernel's attribute and entry timeouts, and the 2 s a
    # previous test's unanswered request keeps the mount from asking again
    sleep 2.2
    stale_before=$(stat_of cache_stale)
    fault_set "$1"
    timed_read "$STALE_FILE" "$BOUND_MS" || { fault_clear; return 1; }
    fault_clear
    log "stale read during $1: $ELAPSED_MS ms"
    assert_eq "$before" "$OUT" "$STALE_FILE during $1"
    assert_ge $((stale_before + 1)) "$(stat_of cache_stale)" ".stats cache_stale"
    assert_ge 1 "$(emu_faulted)" "faulted requests"
}

t_a_cached_file_reads_stale_during_latency() { begin; stale_read_during '{"latency_ms":8000}'; }
t_a_cached_file_reads_stale_during_server_errors() { begin; stale_read_during '{"error_rate":1.0}'; }
t_a_cached_file_reads_stale_during_resets() { begin; stale_read_during '{"reset_rate":1.0}'; }
t_a_cached_file_reads_stale_during_truncated_bodies() { begin; stale_read_during '{"truncate_rate":1.0}'; }
t_a_cached_file_reads_stale_during_malformed_bodies() { begin; stale_read_during '{"malformed_rate":1.0}'; }
t_a_cached_file_reads_stale_during_huge_bodies() { begin; stale_read_during '{"huge_body_bytes":300000000}'; }
t_a_cached_file_reads_stale_during_a_slow_drip() { begin; stale_read_during '{"drip_bytes_per_sec":20}'; }
t_a_cached_file_reads_stale_during_a_429_storm() { begin 2.5; stale_read_during '{"rate429":1.0,"retry_after":2}'; }
t_a_cached_file_reads_stale_during_a_hang() { begin; stale_read_during '{"hang":true}'; }

start_emu --run-seconds 2
mount_fs -o timeout=$TIMEOUT_S,connect_timeout=1,max_body=1M,status_ttl=1,doc_ttl=1,list_ttl=1
run_tests
