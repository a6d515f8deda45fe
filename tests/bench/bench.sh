#!/usr/bin/env bash
# `make bench`: speed and memory figures, each a ratio against a baseline
# measured in the same run (the machine is noisy; nothing here asserts a
# time). Uses the integration harness to start the emulator and mount.
. "$(dirname "$0")/../integration/lib.sh"

OPENLOOP="$BUILD/bench-openloop"
TRIVIALFS="$BUILD/bench-trivialfs"
SECS=${BENCH_SECONDS:-5}
POLL_SECS=${BENCH_POLL_SECONDS:-60}
H="X-API-Key: $KEY"
TMNT="$WORK/trivial"
mkdir -p "$TMNT"
TRIVIAL_PID=""

bench_cleanup() {
    if grep -q " $TMNT fuse" /proc/mounts; then fusermount3 -u "$TMNT" || fusermount3 -uz "$TMNT"; fi
    [ -n "$TRIVIAL_PID" ] && { wait_pid "$TRIVIAL_PID" 50 || kill "$TRIVIAL_PID"; }
    cleanup
}
trap bench_cleanup EXIT

api() { curl -s --max-time 10 -H "$H" "$@"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }
new_job() { # project → id of a new job (the emulator allows creating jobs)
    api -X POST -H 'Content-Type: application/json' -d '{"name":"bench"}' \
        "$EMU_URL/webrobot/api/projects/id/$1/jobs" | jq -r .id
}

echo "webrobotfs benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"

# 1. Cached status: open+read+close per second, against a trivial FUSE fs.
start_emu --run-seconds 3600 || exit 1
mount_fs || exit 1
echo >"$MNT/projects/98/jobs/210/execute"
id=$(readlink "$MNT/projects/98/jobs/210/executions/latest")
f="$MNT/projects/98/jobs/210/executions/$id/status"
cat "$f" >/dev/null
"$TRIVIALFS" -f "$TMNT" 2>/dev/null &
TRIVIAL_PID=$!
retry_until 50 grep -q " $TMNT fuse" /proc/mounts
tf="$TMNT/projects/98/jobs/210/executions/$id/status"
ours=$("$OPENLOOP" "$f" "$SECS")
base=$("$OPENLOOP" "$tf" "$SECS")
echo
echo "1. cached status, open+read+close per second"
echo "   webrobotfs $ours/s, trivial in-memory FUSE fs $base/s: ratio $(ratio "$ours" "$base") (goal >= 1.0)"

# 2. API requests for a polling workload: 20 readers, each reading the
#    status of 10 running executions once a second.
jobs=""
for _ in $(seq 1 10); do jobs="$jobs $(new_job 101)"; done
files=()
for j in $jobs; do
    echo >"$MNT/projects/101/jobs/$j/execute"
    files+=("$MNT/projects/101/jobs/$j/executions/$(readlink "$MNT/projects/101/jobs/$j/executions/latest")/status")
done
sleep 1.1
emu_reset
readers=""
for r in $(seq 1 20); do
    (
        end=$(($(date +%s) + POLL_SECS)); n=0
        while [ "$(date +%s)" -lt "$end" ]; do
            cat "${files[@]}" >/dev/null; n=$((n + ${#files[@]})); sleep 1
        done
        echo "$n" >"$WORK/reads.$r"
    ) &
    readers="$readers $!"
done
wait $readers
reads=$(cat "$WORK"/reads.* | awk '{s += $1} END {print s}')
sent=$(emu_total)
ideal=$((10 * POLL_SECS / 2))  # one request per execution per status_ttl (2 s)
echo
echo "2. polling: 20 readers x ${POLL_SECS} s over 10 running executions"
echo "   reads $reads; requests sent $sent; a cacheless client sends $reads"
echo "   $(ratio "$reads" "$sent")x fewer than cacheless (goal >= 20); $(ratio "$sent" "$ideal")x the ideal of $ideal (one per execution per TTL)"
unmount_fs
stop_emu

# 3. First read of an uncached status, against curl fetching the same URL.
start_emu --run-seconds 0.05 || exit 1
mount_fs || exit 1
ids=()
for _ in $(seq 1 30); do
    ids+=("$(api -X POST "$EMU_URL/webrobot/api/projects/id/98/jobs/212/execute" | jq -r .executionId)")
    sleep 0.1
done
t0=$(date +%s%N)
for i in "${ids[@]}"; do cat "$MNT/projects/98/jobs/212/executions/$i/status" >/dev/null; done
t1=$(date +%s%N)
for i in "${ids[@]}"; do api "$EMU_URL/webrobot/api/projects/id/98/jobs/212/executions/$i/status" >/dev/null; done
t2=$(date +%s%N)
fs_ms=$(((t1 - t0) / 1000000)); curl_ms=$(((t2 - t1) / 1000000))
echo
echo "3. first read of an uncached status (30 executions)"
echo "   cat through the mount ${fs_ms} ms, curl ${curl_ms} ms: ratio $(ratio "$fs_ms" "$curl_ms") (goal <= 1.2)"
unmount_fs
stop_emu

# 4. Peak RSS: 10,000 known executions and 200 MB of finished logs read
#    through the mount, against the cache cap.
CAP_MB=64
start_emu --run-seconds 0.05 --log-lines 2000 --log-line-bytes 500 || exit 1
rm -f "$STATE"/journal-*.tsv
mount_fs || exit 1
echo >"$MNT/projects/98/jobs/210/execute"     # creates this server's journal
unmount_fs
for n in $(seq 1 10000); do printf '%d\t98\t210\tspark-bench%08d\n' "$n" "$n"; done \
    >>"$(ls "$STATE"/journal-*.tsv)"
mount_fs -o cache_size=${CAP_MB}M
pid=$(cat "$WORK/fs.pid")
ls "$MNT/projects/98/jobs/210/executions" | wc -l >"$WORK/known"
total=0; runs=0
while [ "$total" -lt $((200 * 1024 * 1024)) ] && [ "$runs" -lt 400 ]; do
    eid=$(api -X POST "$EMU_URL/webrobot/api/projects/id/98/jobs/212/execute" | jq -r .executionId)
    sleep 0.06
    n=$(cat "$MNT/projects/98/jobs/212/executions/$eid/logs/driver" | wc -c)
    total=$((total + n)); runs=$((runs + 1))
done
hwm_kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
echo
echo "4. memory: $(($(cat "$WORK/known") - 1)) known executions, $((total / 1024 / 1024)) MB of logs read in $runs runs, cache cap ${CAP_MB} MB"
echo "   peak RSS $((hwm_kb / 1024)) MB = cap + $((hwm_kb / 1024 - CAP_MB)) MB (goal: cap + 20 MB at most)"
