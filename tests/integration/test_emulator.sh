#!/usr/bin/env bash
# test_emulator.sh — end-to-end smoke test of webrobot-emu with curl and jq:
# auth, projects, the execution lifecycle and its logs, errors, rate limit,
# stats and request log, Strapi paging, clean shutdown.
#
# Usage: tests/integration/test_emulator.sh   (EMU=path or BUILD=dir to pick the
# binary; default build/webrobot-emu). Prints "N passed, N failed" last and
# exits non-zero on any failure. Takes about 10 seconds.
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

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
