#!/usr/bin/env bash
# `make demo`: a short tour of webrobotfs against the local emulator.
# Starts the emulator, mounts it, lists and reads, starts a run, follows its
# driver log to the end, then unmounts and stops everything it started.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
WORK=$(mktemp -d /tmp/webrobotfs-demo.XXXXXX)
MNT="$WORK/mnt"
mkdir -p "$MNT"
EMU_PID=""
FS_PID=""

cleanup() {
    set +e
    if grep -q " $MNT fuse" /proc/mounts; then
        fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
    fi
    [ -n "$FS_PID" ] && { timeout 10 tail --pid="$FS_PID" -f /dev/null; kill "$FS_PID" 2>/dev/null; }
    [ -n "$EMU_PID" ] && { kill "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null; }
    rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; eval "$@"; }

"$BUILD/webrobot-emu" --port 0 --seed demo --run-seconds 8 >"$WORK/emu.out" 2>"$WORK/emu.err" &
EMU_PID=$!
for _ in $(seq 1 100); do
    URL=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$WORK/emu.out")
    [ -n "$URL" ] && break
    sleep 0.05
done
[ -n "${URL:-}" ] || { echo "emulator did not start" >&2; exit 1; }
echo "emulator: $URL (demo key demo:demo-key)"

WEBROBOT_API_KEY=demo:demo-key "$BUILD/webrobotfs" -f "$MNT" --url "$URL" \
    -o state_dir="$WORK/state" 2>"$WORK/fs.err" &
FS_PID=$!
for _ in $(seq 1 100); do
    grep -q " $MNT fuse" /proc/mounts && break
    sleep 0.05
done
grep -q " $MNT fuse" /proc/mounts || { cat "$WORK/fs.err" >&2; exit 1; }
echo "mounted on $MNT"
cd "$MNT"

run ls projects
run ls -l projects/by-name
run cat projects/98/project.json
run ls projects/98/jobs
run cat projects/98/jobs/210/status
run 'echo > projects/98/jobs/210/execute'
run ls -l projects/98/jobs/210/executions
run cat projects/98/jobs/210/executions/latest/status
say "cat .../latest/wait & tail -f --pid=$! projects/98/jobs/210/executions/latest/logs/driver"
cat projects/98/jobs/210/executions/latest/wait >"$WORK/wait.out" &
WAIT_PID=$!
timeout 60 tail -f --pid="$WAIT_PID" projects/98/jobs/210/executions/latest/logs/driver
run cat projects/98/jobs/210/executions/latest/status
run 'grep -E "^(requests_get|requests_post|cache_hits|cache_misses|limiter_tokens_left):" .stats'
cd /
echo
echo "demo finished: unmounting"
