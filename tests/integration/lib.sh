# Shared harness for the integration tests: starts the real emulator on a
# free port, mounts the real filesystem against it, and cleans both up (by
# pid, lazily unmounting if needed) whatever happens. Sourced by test_*.sh.
#
# A test file defines functions named t_<what_should_happen> and ends with
# `run_tests`; each function fails by returning non-zero (the assert_*
# helpers print why). The last line printed is "N passed, N failed".

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
FS_BIN="$BUILD/webrobotfs"
EMU_BIN=${EMU_BIN:-$BUILD/webrobot-emu}
KEY="demo:demo-key"

WORK=$(mktemp -d /tmp/webrobotfs-test.XXXXXX)
MNT="$WORK/mnt"
STATE="$WORK/state"
mkdir -p "$MNT" "$STATE"
EMU_PID=""
EMU_URL=""
FS_PID=""
SANITIZER_REPORTS=0

log() { printf '  %s\n' "$*" >&2; }

# start_emu [emulator options...]: sets EMU_PID and EMU_URL.
start_emu() {
    : >"$WORK/emu.out"      # a restart must not read the old emulator's URL
    "$EMU_BIN" --port "${EMU_PORT:-0}" --key "$KEY" "$@" >"$WORK/emu.out" 2>"$WORK/emu.err" &
    EMU_PID=$!
    echo "$EMU_PID" >"$WORK/emu.pid"
    local i
    for i in $(seq 1 100); do
        EMU_URL=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$WORK/emu.out" 2>/dev/null)
        if [ -n "$EMU_URL" ]; then
            echo "$EMU_URL" >"$WORK/emu.url"
            return 0
        fi
        kill -0 "$EMU_PID" 2>/dev/null || break
        sleep 0.05
    done
    log "emulator did not start: $(cat "$WORK/emu.err")"
    return 1
}

stop_emu() {
    EMU_PID=$(cat "$WORK/emu.pid" 2>/dev/null)
    [ -n "$EMU_PID" ] || return 0
    kill "$EMU_PID" 2>/dev/null
    wait_pid "$EMU_PID" 50 || kill -9 "$EMU_PID" 2>/dev/null
    wait "$EMU_PID" 2>/dev/null || true
    check_sanitizer_log "$WORK/emu.err" emulator
    EMU_PID=""
    rm -f "$WORK/emu.pid"
}

# wait_pid PID TENTHS: wait up to TENTHS/10 s for a process to end.
wait_pid() {
    local i
    for i in $(seq 1 "$2"); do
        kill -0 "$1" 2>/dev/null || return 0
        # a process started in another test's subshell is nobody's child
        # here: once it exits it stays a zombie, which kill -0 still finds
        [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
        sleep 0.1
    done
    return 1
}

is_mounted() { grep -q " $MNT fuse" /proc/mounts; }

# mount_fs [webrobotfs options...]: mounts on $MNT in the foreground
# process FS_PID, against $EMU_URL, with its own state directory.
mount_fs() {
    WEBROBOT_API_KEY="${TEST_KEY:-$KEY}" "$FS_BIN" -f "$MNT" --url "$EMU_URL" \
        -o state_dir="$STATE" "$@" 2>>"$WORK/fs.err" &
    FS_PID=$!
    echo "$FS_PID" >"$WORK/fs.pid"
    local i
    for i in $(seq 1 100); do
        is_mounted && return 0
        kill -0 "$FS_PID" 2>/dev/null || break
        sleep 0.05
    done
    log "mount failed: $(tail -5 "$WORK/fs.err")"
    return 1
}

unmount_fs() {
    FS_PID=$(cat "$WORK/fs.pid" 2>/dev/null)
    [ -n "$FS_PID" ] || return 0
    if is_mounted; then
        fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT" 2>/dev/null
    fi
    if ! wait_pid "$FS_PID" 100; then
        log "webrobotfs did not exit after unmount; killing pid $FS_PID"
        kill -9 "$FS_PID" 2>/dev/null
    fi
    wait "$FS_PID" 2>/dev/null || true
    is_mounted && fusermount3 -uz "$MNT" 2>/dev/null
    check_sanitizer_log "$WORK/fs.err" webrobotfs
    FS_PID=""
    rm -f "$WORK/fs.pid"
}

# Reports are counted in a file: tests run in subshells, whose variables
# the final summary would not see.
check_sanitizer_log() {
    if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1" 2>/dev/null; then
        log "sanitizer report from $2:"
        grep -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1" | head -60 >&2
        echo "$2" >>"$WORK/sanitizer.reports"
        : >"$1"
    fi
}

cleanup() {
    unmount_fs
    stop_emu
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- emulator observations -------------------------------------------------

emu_stats() { curl -s --max-time 5 "$EMU_URL/_emu/stats"; }
# emu_count "GET /webrobot/api/projects": requests the emulator received on a route.
emu_count() { emu_stats | jq --arg r "$1" '.routes[$r] // 0'; }
emu_total() { emu_stats | jq '.total'; }
emu_429s() { emu_stats | jq '.rate_limited'; }
emu_reset() { curl -s --max-time 5 -X POST "$EMU_URL/_emu/reset-stats" >/dev/null; }

R_PROJECTS="GET /webrobot/api/projects"
R_PROJECT="GET /webrobot/api/projects/id/{projectId}"
R_JOBS="GET /webrobot/api/projects/id/{projectId}/jobs"
R_JOB="GET /webrobot/api/projects/id/{projectId}/jobs/{jobId}"
R_EXECUTE="POST /webrobot/api/projects/id/{projectId}/jobs/{jobId}/execute"
R_STATUS="GET /webrobot/api/projects/id/{projectId}/jobs/{jobId}/executions/{executionId}/status"
R_LOGS="GET /webrobot/api/projects/id/{projectId}/jobs/{jobId}/executions/{executionId}/logs"

# --- assertions ------------------------------------------------------------

assert_eq() { # expected actual what
    [ "$1" = "$2" ] && return 0
    log "FAIL: $3: expected [$1], got [$2]"
    return 1
}

assert_le() { # limit actual what
    [ "$2" -le "$1" ] && return 0
    log "FAIL: $3: expected <= $1, got $2"
    return 1
}

assert_ge() { # floor actual what
    [ "$2" -ge "$1" ] && return 0
    log "FAIL: $3: expected >= $1, got $2"
    return 1
}

# assert_fails_with "Device or resource busy" cmd...: the command must fail
# and its error output must name that errno text.
assert_fails_with() {
    local want=$1; shift
    local out
    if out=$("$@" 2>&1); then
        log "FAIL: '$*' succeeded, expected: $want"
        return 1
    fi
    case "$out" in
    *"$want"*) return 0 ;;
    esac
    log "FAIL: '$*' failed with [$out], expected: $want"
    return 1
}

# retry_until TENTHS cmd...: poll until the command succeeds.
retry_until() {
    local n=$1; shift
    local i
    for i in $(seq 1 "$n"); do
        "$@" && return 0
        sleep 0.1
    done
    return 1
}

# --- runner ----------------------------------------------------------------

run_tests() {
    local passed=0 failed=0 t
    for t in $(declare -F | awk '{print $3}' | grep '^t_'); do
        ( set -e; "$t" )
        if [ $? -eq 0 ]; then
            printf 'PASS %s\n' "$t"
            passed=$((passed + 1))
        else
            printf 'FAIL %s\n' "$t"
            failed=$((failed + 1))
        fi
    done
    unmount_fs
    stop_emu
    SANITIZER_REPORTS=$(cat "$WORK/sanitizer.reports" 2>/dev/null | wc -l)
    if [ "$SANITIZER_REPORTS" -gt 0 ]; then
        printf 'FAIL sanitizer reports: %d\n' "$SANITIZER_REPORTS"
        failed=$((failed + 1))
    fi
    printf '%d passed, %d failed\n' "$passed" "$failed"
    [ "$failed" -eq 0 ]
}
