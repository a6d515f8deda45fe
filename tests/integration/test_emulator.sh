#!/usr/bin/env bash
# test_emulator.sh — end-to-end smoke test of webrobot-emu with curl and jq:
# auth, projects, the execution lifecycle and its logs, errors, rate limit,
# stats and request log, Strapi paging, large logs (--log-lines,
# --log-line-bytes), every fault of /_emu/fault, clean shutdown.
#
# Usage: tests/integration/test_emulator.sh   (EMU=path or BUILD=dir to pick the
# binary; default build/webrobot-emu). Prints "N passed, N failed" last and
# exits non-zero on any failure. Takes about 15 seconds.
set -u
cd "$(dirname "$0")/../.." || exit 1   # repository root: BUILD is relative to it

BUILD=${BUILD:-build}
EMU=${EMU:-$BUILD/webrobot-emu}
KEY="demo:demo-key"
P=/webrobot/api/projects
pass=0
fail=0
pids=()
tmp=$(mktemp -d)

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1${2:+: $2}"; }
check() { # description expected actual
	if [ "$2" = "$3" ]; then ok "$1"; else ko "$1" "expected '$2', got '$3'"; fi
}
check_re() { # description regex actual
	if [[ $3 =~ $2 ]]; then ok "$1"; else ko "$1" "'$3' does not match /$2/"; fi
}

# start_emu NAME ARGS...: starts the emulator, sets <NAME>_PID and <NAME>_URL.
start_emu() {
	local name=$1 out=$tmp/$1.out line="" i pid
	shift
	: >"$out"
	"$EMU" --port 0 "$@" >"$out" 2>"$tmp/$name.err" &
	pid=$!
	pids+=("$pid")
	for i in $(seq 100); do
		line=$(head -n 1 "$out" 2>/dev/null)
		[ -n "$line" ] && break
		sleep 0.05
	done
	if [[ ! $line =~ ^listening\ on\ http://127\.0\.0\.1:([0-9]+)$ ]]; then
		ko "$name starts and prints its address" "got '$line'"
		cat "$tmp/$name.err" >&2
		echo "$pass passed, $fail failed"
		exit 1
	fi
	ok "$name starts and prints its address"
	printf -v "${name}_PID" '%s' "$pid"
	printf -v "${name}_URL" '%s' "http://127.0.0.1:${BASH_REMATCH[1]}"
}

# stop_emu NAME: SIGTERM, expects exit status 0 (and, under ASan, no leaks).
stop_emu() {
	local pidvar=${1}_PID rc
	kill -TERM "${!pidvar}"
	wait "${!pidvar}"
	rc=$?
	check "$1 exits 0 on SIGTERM" 0 "$rc"
	if [ -s "$tmp/$1.err" ]; then
		ko "$1 wrote nothing on stderr" "$(head -c 600 "$tmp/$1.err")"
	else
		ok "$1 wrote nothing on stderr"
	fi
}

# api METHOD PATH [BODY]: prints "STATUS BODY" (key sent); BODY file in $tmp/body.
api() {
	local data=()
	[ $# -ge 3 ] && data=(--data-binary "$3" -H "Content-Type: application/json")
	curl -s -o "$tmp/body" -w '%{http_code}' -X "$1" -H "X-API-Key: $KEY" \
		"${data[@]}" "$URL$2"
}
body() { cat "$tmp/body"; }

command -v jq >/dev/null || { echo "jq missing"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$EMU" ] || { echo "no emulator at $EMU"; echo "0 passed, 1 failed"; exit 1; }

start_emu main --run-seconds 2
URL=$main_URL

# --- authentication
code=$(curl -s -o "$tmp/body" -w '%{http_code}' "$URL$P")
check "no key: 401" 401 "$code"
check "no key: Error body" "401" "$(jq -r .code "$tmp/body")"
check_re "Error body has an ISO timestamp" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' \
	"$(jq -r .timestamp "$tmp/body")"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: demo:wrong" "$URL$P")
check "wrong key: 401" 401 "$code"

# --- reads
check "health: 200" 200 "$(api GET /health)"
check "health: UP" UP "$(body | jq -r .status)"
check "projects: 200" 200 "$(api GET $P)"
check "projects: demo ids" '98,101,102,103' "$(body | jq -r 'map(.id)|join(",")')"
check "projects: job ids of 98" '210,211,212' "$(body | jq -r '.[0].jobIds|join(",")')"
check "project by name" 200 "$(api GET $P/price-comparison)"
check "project by name: id" 98 "$(body | jq -r .id)"
check "unknown project: 404" 404 "$(api GET $P/id/999)"
check "job of another project: 404" 404 "$(api GET $P/id/101/jobs/210)"

# --- execution lifecycle
# PENDING lasts 0.3 s with --run-seconds 2: ask for the status at once,
# without forking jq first
code=$(api POST $P/id/98/jobs/210/execute)
exe=""
read -r line <"$tmp/body"
[[ $line =~ \"executionId\":\"([^\"]*)\" ]] && exe=${BASH_REMATCH[1]}
curl -s -o "$tmp/first" -H "X-API-Key: $KEY" "$URL$P/id/98/jobs/210/executions/$exe/status"
seen=$(jq -r .status "$tmp/first")
check "execute: 200" 200 "$code"
check_re "execute: id shape" '^spark-[0-9a-f]{12}-[0-9]{8}$' "$exe"
check "execute: SUBMITTED" SUBMITTED "$(body | jq -r .status)"
check "execute again while live: 409" 409 "$(api POST $P/id/98/jobs/210/execute)"
code=$(api POST $P/id/98/jobs/211/execute '{"arguments":["--date","2026-12-03"],"cloudCredentialIds":[]}')
check "execute failing job with a body: 200" 200 "$code"
exe_fail=$(body | jq -r .executionId)

logs_ok=1
prev=""
counts=""
for i in $(seq 60); do
	api GET $P/id/98/jobs/210/executions/$exe/status >/dev/null
	st=$(body | jq -r .status)
	[ "${seen##* }" != "$st" ] && seen="$seen $st"
	api GET "$P/id/98/jobs/210/executions/$exe/logs?podType=driver" >/dev/null
	cur=$(body | jq -c .logs)
	n=$(body | jq '.logs|length')
	[ "${counts##* }" != "$n" ] && counts="$counts $n"
	# append-only: the previous answer is a prefix of this one
	if [ -n "$prev" ] && [ "$(jq -n --argjson a "$prev" --argjson b "$cur" \
		'$b[0:($a|length)] == $a')" != true ]; then
		logs_ok=0
	fi
	prev=$cur
	[ "$st" = COMPLETED ] && break
	sleep 0.1
done
check "status moves PENDING -> RUNNING -> COMPLETED" "PENDING RUNNING COMPLETED" "$seen"
check "driver log is append-only" 1 "$logs_ok"
check_re "driver log grows while running" '^( [0-9]+){3,}$' "$counts"
api GET "$P/id/98/jobs/210/executions/$exe/logs?podType=driver" >/dev/null
final=$(body | jq -c .logs)
sleep 0.3
api GET "$P/id/98/jobs/210/executions/$exe/logs?podType=driver" >/dev/null
check "terminal logs are stable" "$final" "$(body | jq -c .logs)"
check_re "terminal driver log ends the run" 'Shutdown hook called$' "$(body | jq -r '.logs[-1]')"
api GET $P/id/98/jobs/210/executions/$exe/status >/dev/null
check_re "completed: completedAt + executionTimeSeconds" '^[0-9-]+T[0-9:]+Z [0-9]+ null$' \
	"$(body | jq -r '"\(.completedAt) \(.executionTimeSeconds) \(.errorMessage)"')"
check "logs tail=5" 5 "$(api GET "$P/id/98/jobs/210/executions/$exe/logs?tail=5" >/dev/null; body | jq '.logs|length')"
check "logs bad podType: 400" 400 "$(api GET "$P/id/98/jobs/210/executions/$exe/logs?podType=gpu")"
check "logs bad tail: 400" 400 "$(api GET "$P/id/98/jobs/210/executions/$exe/logs?tail=-3")"
check "job executionStatus follows its run" COMPLETED \
	"$(api GET $P/id/98/jobs/210 >/dev/null; body | jq -r .executionStatus)"
check "execute after completion: 200" 200 "$(api POST $P/id/98/jobs/210/execute)"
check_re "execution ids are unique" '^spark-' "$( [ "$(body | jq -r .executionId)" != "$exe" ] && echo spark-ok)"

api GET $P/id/98/jobs/211/executions/$exe_fail/status >/dev/null
check "failing job ends FAILED" FAILED "$(body | jq -r .status)"
check_re "FAILED carries errorMessage" 'OutOfMemoryError' "$(body | jq -r .errorMessage)"
check_re "failing driver log has the stack trace" 'SparkException: Job aborted' \
	"$(api GET "$P/id/98/jobs/211/executions/$exe_fail/logs?podType=driver" >/dev/null; body | jq -r '.logs|join("\n")')"

check "unknown execution: 404" 404 "$(api GET $P/id/98/jobs/210/executions/spark-000000000000-00000000/status)"
check "execution of another job: 404" 404 "$(api GET $P/id/98/jobs/212/executions/$exe/status)"
check "execute unknown job: 404" 404 "$(api POST $P/id/98/jobs/999/execute)"
check "execute bad JSON: 400" 400 "$(api POST $P/id/98/jobs/212/execute '{"arguments":')"
check "execute non-object: 400" 400 "$(api POST $P/id/98/jobs/212/execute '[1]')"
check "execute wrong types: 400" 400 "$(api POST $P/id/98/jobs/212/execute '{"arguments":[1]}')"

# --- stats and request log
curl -s -X POST "$URL/_emu/reset-stats" >/dev/null
api GET $P/id/98 >/dev/null
api GET $P/id/101 >/dev/null
api GET $P/id/98/jobs/210/executions/$exe/logs >/dev/null
api GET "$P/id/a%2Fb/jobs?x=1%202" >/dev/null
api GET /no/such/path >/dev/null
curl -s -o /dev/null "$URL$P"   # 401, still counted
curl -s "$URL/_emu/stats" >"$tmp/stats"
check "stats: total" 6 "$(jq .total "$tmp/stats")"
check "stats: by template" 2 "$(jq '.routes["GET /webrobot/api/projects/id/{projectId}"]' "$tmp/stats")"
check "stats: logs template" 1 \
	"$(jq '.routes["GET /webrobot/api/projects/id/{projectId}/jobs/{jobId}/executions/{executionId}/logs"]' "$tmp/stats")"
check "stats: %2F stays in one segment" 1 "$(jq '.routes["GET /webrobot/api/projects/id/{projectId}/jobs"]' "$tmp/stats")"
check "stats: unmatched" 1 "$(jq '.routes["GET (unmatched)"]' "$tmp/stats")"
check "stats: 401 counted" 1 "$(jq '.routes["GET /webrobot/api/projects"]' "$tmp/stats")"
curl -s "$URL/_emu/log" >"$tmp/log"
check "log: oldest first, all kept" 6 "$(jq length "$tmp/log")"
check "log: raw path and query" '/webrobot/api/projects/id/a%2Fb/jobs x=1%202 404' \
	"$(jq -r '.[3] | "\(.path) \(.query) \(.status)"' "$tmp/log")"

# --- Strapi paging
total=0
ids=""
for page in 0 1 2; do
	api GET "/api/strapi-tables/products?page=$page&pageSize=50" >/dev/null
	n=$(body | jq '.data|length')
	total=$((total + n))
	ids="$ids $(body | jq -r '.data[].id')"
	meta=$(body | jq -c .meta.pagination)
done
check "strapi: 130 records over 3 pages" 130 "$total"
check "strapi: distinct ids" 130 "$(echo $ids | tr ' ' '\n' | sort -u | wc -l)"
check "strapi: pagination meta" '{"page":2,"pageSize":50,"pageCount":3,"total":130}' "$meta"
check "strapi: pageSize > 500 is 400" 400 "$(api GET "/api/strapi-tables/products?pageSize=501")"
check "strapi: unknown table 404" 404 "$(api GET /api/strapi-tables/nope)"

stop_emu main

# --- rate limit
start_emu limited --rate 5 --key acme:k1 --key acme:k2
URL=$limited_URL
curl -s -o /dev/null -H "X-API-Key: acme:bad" "$URL/health"   # 401 takes no budget
KEY=acme:k1
codes=""
for i in 1 2 3 4 5 6; do codes="$codes $(api GET /health)"; done
check "rate 5: sixth request is 429" " 200 200 200 200 200 429" "$codes"
hdr=$(curl -s -D - -o "$tmp/body" -H "X-API-Key: acme:k1" "$URL/health" | tr -d '\r' |
	sed -n 's/^[Rr]etry-[Aa]fter: //p')
check_re "429 has Retry-After in 1..60" '^([1-9]|[1-5][0-9]|60)$' "$hdr"
check "429 has an Error body" 429 "$(jq .code "$tmp/body")"
KEY=acme:k2
check "another key has its own window" 200 "$(api GET /health)"
curl -s "$URL/_emu/stats" >"$tmp/stats"
check "stats: rate_limited" 2 "$(jq .rate_limited "$tmp/stats")"
check "stats: total includes 401 and 429" 9 "$(jq .total "$tmp/stats")"
stop_emu limited

# --- large logs: 100,000 driver lines padded to 100 bytes (10 MB)
start_emu big --run-seconds 0.3 --log-lines 100000 --log-line-bytes 100
URL=$big_URL
KEY=demo:demo-key
api POST $P/id/98/jobs/212/execute >/dev/null
exe=$(body | jq -r .executionId)
sleep 0.5
L="$P/id/98/jobs/212/executions/$exe/logs"
out=$(curl -s --max-time 10 -o "$tmp/big" -w '%{http_code} %{time_total}' -H "X-API-Key: $KEY" "$URL$L?podType=driver")
check "100k-line driver log: 200" 200 "${out% *}"
check_re "100k-line driver log answered in under a second" '^0\.' "${out#* }"
check "driver log: 100000 body lines + 11 closing" 100011 "$(jq '.logs|length' "$tmp/big")"
check "every line padded to at least 100 bytes" 100 "$(jq '[.logs[]|length]|min' "$tmp/big")"
check_re "padded log is over 10 MB" '^[0-9]{8,}$' "$(stat -c %s "$tmp/big")"
check "executor log: 3/4 as many body lines + 5 closing" 75005 \
	"$(api GET "$L?podType=executor" >/dev/null; body | jq '.logs|length')"
check "tail of the merged log" "$(jq -c '.logs[-3:]' "$tmp/big")" \
	"$(api GET "$L?podType=driver&tail=3" >/dev/null; body | jq -c .logs)"
check "merged log: both streams" 175016 "$(api GET "$L" >/dev/null; body | jq '.logs|length')"
check "large log is deterministic" "$(md5sum <"$tmp/big")" \
	"$(curl -s --max-time 10 -H "X-API-Key: $KEY" "$URL$L?podType=driver" | md5sum)"
stop_emu big

# --- fault injection
start_emu faulty
URL=$faulty_URL
# fault JSON: sets the faults (prints the HTTP status of the POST)
fault() {
	curl -s --max-time 5 -o "$tmp/fault" -w '%{http_code}' -X POST --data-binary "$1" "$URL/_emu/fault"
}
# probe [curl options...] PATH: prints "EXIT HTTP_CODE TIME", body in $tmp/body
probe() {
	local out rc
	out=$(curl -s --max-time 3 -o "$tmp/body" -w '%{http_code} %{time_total}' \
		-H "X-API-Key: $KEY" "${@:1:$#-1}" "$URL${!#}")
	rc=$?
	echo "$rc $out"
}
valid_json() { jq -e . "$tmp/body" >/dev/null 2>&1 && echo valid || echo invalid; }
J98=$P/id/98

check "no faults at start" '{}' "$(curl -s "$URL/_emu/fault")"
check "bad fault field: 400" 400 "$(fault '{"latency":5}')"
check "rates summing over 1: 400" 400 "$(fault '{"error_rate":0.6,"reset_rate":0.6}')"
check "bad error code: 400" 400 "$(fault '{"error_rate":1,"error_codes":[200]}')"
check "rejected settings change nothing" '{}' "$(curl -s "$URL/_emu/fault")"

fault '{"latency_ms":400}' >/dev/null
read -r rc code t <<<"$(probe /health)"
check "latency: 200" "0 200" "$rc $code"
check_re "latency: answer takes >= 0.4 s" '^(0\.[4-9]|[1-9])' "$t"

check "error_rate 1: POST 200" 200 "$(fault '{"error_rate":1,"error_codes":[503]}')"
check "error_rate: GET shows the settings" '{"error_rate":1,"error_codes":[503],"seed":1}' \
	"$(curl -s "$URL/_emu/fault")"
read -r rc code t <<<"$(probe $J98)"
check "error_rate 1: 503" 503 "$code"
check "error_rate: Error body" 503 "$(jq .code "$tmp/body")"
check "/_emu/ endpoints are never faulted" 200 \
	"$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$URL/_emu/stats")"

seq_codes() {
	local i s=""
	fault '{"error_rate":0.5,"error_codes":[500,502],"seed":42}' >/dev/null
	for i in $(seq 12); do read -r rc code t <<<"$(probe /health)"; s="$s $code"; done
	echo "$s"
}
first=$(seq_codes)
check_re "error_rate 0.5: a mix of 200 and 5xx" '200.*50[02]|50[02].*200' "$first"
check "error_rate: same seed, same sequence" "$first" "$(seq_codes)"

fault '{"reset_rate":1}' >/dev/null
read -r rc code t <<<"$(probe /health)"
check_re "reset: connection closed without an answer (curl 52/56)" '^(52|56) 000$' "$rc $code"

fault '{"truncate_rate":1}' >/dev/null
read -r rc code t <<<"$(probe $J98)"
check "truncate: 200 then a body cut short (curl 18)" "18 200" "$rc $code"

fault '{"malformed_rate":1}' >/dev/null
read -r rc code t <<<"$(probe $J98)"
check "malformed: 200 complete" "0 200" "$rc $code"
check "malformed: body is not JSON" invalid "$(valid_json)"

fault '{"huge_body_bytes":5000000}' >/dev/null
read -r rc code t <<<"$(probe $J98)"
check "huge body: 200 complete" "0 200" "$rc $code"
check "huge body: still valid JSON, data intact" '98 5000000' \
	"$(jq -r '"\(.id) \(._emu_padding|length)"' "$tmp/body")"
read -r rc code t <<<"$(probe $P)"
check "huge body on an array: same array, padded" "4 valid" "$(jq length "$tmp/body") $(valid_json)"
check_re "huge body on an array: over 5 MB" '^[0-9]{7,}$' "$(stat -c %s "$tmp/body")"

fault '{"drip_bytes_per_sec":500}' >/dev/null
read -r rc code t <<<"$(probe $J98)"
check "drip: 200 complete and valid" "0 200 valid" "$rc $code $(valid_json)"
check_re "drip: 270 bytes at 500 B/s take >= 0.4 s" '^(0\.[4-9]|[1-9])' "$t"
read -r rc code t <<<"$(probe --max-time 0.2 $J98)"
check "drip: a short client timeout fires mid-body (curl 28)" "28 200" "$rc $code"

fault '{"rate429":1,"retry_after":null}' >/dev/null
hdrs=$(curl -s --max-time 3 -D - -o "$tmp/body" -H "X-API-Key: $KEY" "$URL/health" | tr -d '\r')
check_re "rate429: 429" '^HTTP/1.1 429' "$hdrs"
check "rate429 retry_after null: no Retry-After" "" "$(sed -n 's/^[Rr]etry-[Aa]fter: //p' <<<"$hdrs")"
fault '{"rate429":1,"retry_after":7}' >/dev/null
check "rate429 retry_after 7: Retry-After: 7" 7 \
	"$(curl -s --max-time 3 -D - -o /dev/null -H "X-API-Key: $KEY" "$URL/health" | tr -d '\r' |
		sed -n 's/^[Rr]etry-[Aa]fter: //p')"

fault '{"error_rate":1,"only_path_prefix":"/webrobot/api/projects/id/98"}' >/dev/null
codes="$(probe /health | cut -d' ' -f2) $(probe $J98 | cut -d' ' -f2) $(probe $P/id/101 | cut -d' ' -f2)"
check_re "only_path_prefix: only matching paths faulted" '^200 50[023] 200$' "$codes"

fault '{"hang":true}' >/dev/null
read -r rc code t <<<"$(probe --max-time 1 /health)"
check "hang: no answer before the client gives up (curl 28)" "28 000" "$rc $code"
# held_requests N: waits (up to 3 s) until the request log holds N status-0
# entries (a hung request is logged when it arrives)
held_requests() {
	local i
	for i in $(seq 60); do
		[ "$(curl -s "$URL/_emu/log" | jq '[.[] | select(.status == 0)] | length')" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
curl -s --max-time 5 -o "$tmp/released" -w '%{http_code}' -H "X-API-Key: $KEY" "$URL/health" >"$tmp/released.code" &
held_requests 4 || ko "hang: held request logged on arrival"
check "DELETE clears every fault" '{}' "$(curl -s --max-time 3 -X DELETE "$URL/_emu/fault")"
wait $!
check "hang: a held request is answered once cleared" 200 "$(cat "$tmp/released.code")"

check "POST {} clears too" '{}' "$(fault '{"latency_ms":5}' >/dev/null; fault '{}' >/dev/null; cat "$tmp/fault")"
curl -s "$URL/_emu/stats" >"$tmp/stats"
curl -s "$URL/_emu/log" >"$tmp/log"
# faulted: latency 1, error 1, the 5xx of the two mixes, reset 1,
# truncate 1, malformed 1, huge 2, drip 2, 429 2, prefix 1, hang 2
mix=$(echo "$first $first" | tr ' ' '\n' | grep -c '^50')
check "stats: faulted counts each faulted request" $((1 + 1 + mix + 1 + 1 + 1 + 2 + 2 + 2 + 1 + 2)) \
	"$(jq .faulted "$tmp/stats")"
check "stats: injected 429s are rate_limited" 2 "$(jq .rate_limited "$tmp/stats")"
check "log: reset, truncation and both hangs recorded as status 0" 4 \
	"$(jq '[.[] | select(.status == 0)] | length' "$tmp/log")"
fault '{"hang":true,"latency_ms":600000}' >/dev/null
curl -s --max-time 10 -o /dev/null -H "X-API-Key: $KEY" "$URL/health" &
hung=$!
held_requests 5 || ko "hang: second held request logged on arrival"
t0=$(date +%s%N)
stop_emu faulty    # a held request must not delay a clean exit
check_re "SIGTERM with a request held: exits at once" '^[0-9]{1,9}$' "$(( $(date +%s%N) - t0 ))"
wait $hung
check_re "held request's connection closed at exit (curl 52/56)" '^(52|56)$' "$?"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
