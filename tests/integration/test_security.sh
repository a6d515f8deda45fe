#!/usr/bin/env bash
# Security: untrusted names never reach another API path (SPEC §3: every id
# is ONE percent-encoded segment), the API key never leaks (SPEC §2: never on
# the command line, never printed or logged), key files must be private, and
# TLS failures are clean. Asserts on what the emulator really received
# (/_emu/log: raw path and query of every request).
. "$(dirname "$0")/lib.sh"

# A key of our own, distinctive enough that any appearance is a leak.
SECRET_PART="S3cr3t-q7Zk2p9Xw"
SECRET_KEY="sec-org:$SECRET_PART"
TEST_KEY=$SECRET_KEY
P="$MNT/projects"
AUX_PIDS="$WORK/aux.pids"
: >"$AUX_PIDS"

# --- the request-log checker ------------------------------------------------
# check_log KIND NAMES_FILE [MUST_NAME...] < /_emu/log JSON
# KIND says which template the hostile names may reach. NAMES_FILE holds the
# names looked up, NUL-separated. Every request in the log must be either a
# context request (the parents: project 98, job 210, table products...) or
# the template with ONE segment that is exactly the percent-encoding of a
# looked-up name's decoded id, with exactly the template's query. Each
# MUST_NAME must have produced its request (so the check is not vacuous).
# Prints one line per violation.
cat >"$WORK/checklog.py" <<'PY'
import json, os, re, sys
kind, names_file, must = sys.argv[1], sys.argv[2], sys.argv[3:]
log = json.load(sys.stdin)
names = [n for n in open(names_file, "rb").read().split(b"\0") if n]
UNRES = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
HEX = b"0123456789ABCDEFabcdef"

def pct_decode(b):
    out, i = bytearray(), 0
    while i < len(b):
        if b[i] != 0x25:
            out.append(b[i]); i += 1; continue
        h = b[i + 1:i + 3]
        if len(h) < 2 or any(x not in HEX for x in h) or h == b"00":
            return None
        out.append(int(h, 16)); i += 3
    return bytes(out)

def seg(idb):
    if idb in (b".", b".."):
        return "".join("%%%02X" % c for c in idb)
    return "".join(chr(c) if c in UNRES else "%%%02X" % c for c in idb)

A = "/webrobot/api"
P98 = A + "/projects/id/98"
J210 = P98 + "/jobs/210"
TPL = {  # kind: (regex with one (SEG) group, query, context (path, query) pairs)
    "project": (A + "/projects/id/(SEG)", "", {(A + "/projects", "")}),
    "job": (P98 + "/jobs/(SEG)", "", {(P98, ""), (P98 + "/jobs", "")}),
    "exec": (J210 + "/executions/(SEG)/status", "",
             {(P98, ""), (P98 + "/jobs", ""), (J210, "")}),
    "table": ("/api/strapi-tables/(SEG)", "page=0&pageSize=50", set()),
    "record": ("/api/strapi-tables/products/(SEG)", "",
               {("/api/strapi-tables/products", "page=0&pageSize=50")}),
    "page": (A + "/html/(SEG)/https", "", set()),
    "host": (A + "/html/(SEG)/https", "", set()),
    "exec211": (P98 + "/jobs/211/executions/(SEG)/status", "",
                {(P98, ""), (P98 + "/jobs", ""), (P98 + "/jobs/211", "")}),
    "byname": (None, "", {(A + "/projects", "")}),
    "none": (None, "", {(P98, ""), (P98 + "/jobs", ""), (J210, ""), (A + "/projects", ""),
                        ("/api/strapi-tables/products", "page=0&pageSize=50")}),
}
rx, query, context = TPL[kind]

def expected(name):
    if kind == "record":
        if not name.endswith(b".json"):
            return None
        name = name[:-5]
    if kind == "page":   # html/https/example.com/<name>
        path = b"" if name == b"index.html" else pct_decode(name)
        return None if path is None else seg(b"example.com/" + path)
    if kind == "host":   # html/https/<name>/index.html
        host = pct_decode(name)
        return None if host is None else seg(host + b"/")
    i = pct_decode(name)
    return None if i is None or i == b"" else seg(i)

allowed = {}
for n in names:
    e = expected(n)
    if e is not None:
        allowed[e] = n
bad = []
SEGRE = r"((?:[A-Za-z0-9_~.-]|%[0-9A-F]{2})+)"
full = re.compile("^" + rx.replace("(SEG)", SEGRE) + "$") if rx else None
hits = set()
for e in log:
    path, q = e.get("path", ""), e.get("query", "")
    where = "%s %s%s" % (e.get("method"), path, "?" + q if q else "")
    if not re.fullmatch(r"[A-Za-z0-9/._~%-]+", path) or "//" in path:
        bad.append("raw path not made of encoded segments: " + where); continue
    if any(s in (".", "..") for s in path.split("/")):
        bad.append("dot segment in path: " + where); continue
    if re.search(r"%(?![0-9A-F]{2})", path):
        bad.append("bad percent-escape: " + where); continue
    if path == "/health" or path.startswith("/_emu"):
        bad.append("reached another endpoint: " + where); continue
    if (path, q) in context:
        continue
    m = full.match(path) if full else None
    if not m:
        bad.append("request outside the template: " + where); continue
    if q != query:
        bad.append("unexpected query: " + where); continue
    if m.group(1) not in allowed:
        bad.append("segment is no looked-up name's id: " + where); continue
    hits.add(m.group(1))
for mn in must:
    mb = os.fsencode(mn)
    e = expected(mb)
    if e not in hits:
        bad.append("no request for %r (expected segment %s)" % (mb, e))
for b in bad:
    print(b)
PY

# names_file FILE NAME...: write the names NUL-separated.
names_file() {
    local f=$1; shift
    printf '%s\0' "$@" >"$f"
}

# assert_log_clean KIND NAMES_FILE [MUST...]: run the checker on /_emu/log.
assert_log_clean() {
    local out
    out=$(curl -s --max-time 5 "$EMU_URL/_emu/log" | python3 "$WORK/checklog.py" "$@" 2>&1)
    [ -z "$out" ] && return 0
    log "FAIL: requests the emulator received ($1):"
    printf '%s\n' "$out" | head -20 | sed 's/^/    /' >&2
    return 1
}

# assert_enoent_everywhere DIR SUFFIX NAME...: stat, ls and cat of
# DIR/NAME+SUFFIX each fail with "No such file or directory".
assert_enoent_everywhere() {
    local dir=$1 sfx=$2 n c rc=0; shift 2
    for n in "$@"; do
        for c in stat ls cat; do
            assert_fails_with "No such file or directory" timeout 20 $c "$dir/$n$sfx" || rc=1
        done
    done
    return $rc
}

# A 255-byte name of bytes that all need escaping, one of plain letters,
# and the first over-long length. Ids longer than 240 bytes are named by a
# hash ("~<16 hex>"), so the longest names that reach the API as they are
# have 240 bytes; longer plain names name nothing and send nothing.
Q240=$(printf '%240s' '' | tr ' ' '?')
X240=$(printf '%235s' '' | tr ' ' 'x')
Q255=$(printf '%255s' '' | tr ' ' '?')
X250=$(printf '%250s' '' | tr ' ' 'x')
X255=$(printf '%255s' '' | tr ' ' 'x')
X256=$(printf '%256s' '' | tr ' ' 'x')

# Hostile names: path climbing, query and fragment injection, encoded
# slashes and dots, spaces, lone and bad escapes, an encoded NUL, control
# characters (raw and encoded), non-UTF-8 bytes, the longest names.
HOSTILE=(
    '..%2F..%2Fhealth' '..%2F..%2F..%2F..%2Fhealth' '98%2F..%2F..%2F..%2Fhealth'
    '98%3Fx=1' '98?x=1' '98?podType=driver&x=1' '98#frag' '98%23frag'
    '%2E%2E' '%2E.' '%2E' '98%2Fjobs' '98%2Fjobs%2F210'
    'a b' '%' '%zz' '98%' '98%00' '%00' '%09' '98%0A'
    $'98\x01' $'98\n' $'a\tb' $'\x7f' $'\xff\xfe98' $'caf\xc3\xa9'
    '98;x=1' '98&x=1' '98\' '98%5C..%5Chealth' "$Q240" "$Q255" "$X255"
)
# Names whose lookup must reach the API (as one encoded segment).
MUST=( '..%2F..%2Fhealth' '98?x=1' '98#frag' '%2E.' '98%2Fjobs' 'a b' '%09' "$Q240" )

lookup_batch() { # KIND DIR SUFFIX: look every hostile name up, check log and errno
    local kind=$1 dir=$2 sfx=$3 rc=0 n
    emu_reset
    names_file "$WORK/names" "${HOSTILE[@]/%/$sfx}"
    assert_enoent_everywhere "$dir" "$sfx" "${HOSTILE[@]}" || rc=1
    assert_log_clean "$kind" "$WORK/names" "${MUST[@]/%/$sfx}" || rc=1
    # the mount is still alive and sound
    assert_eq '"98"' "$(jq .id "$P/98/project.json")" "project 98 after hostile lookups" || rc=1
    return $rc
}

t_hostile_names_under_projects_reach_only_the_project_endpoint() {
    lookup_batch project "$P" ""
}

t_hostile_names_under_jobs_reach_only_the_job_endpoint() {
    ls "$P/98/jobs" >/dev/null
    lookup_batch job "$P/98/jobs" ""
}

t_hostile_names_under_executions_reach_only_the_status_endpoint() {
    ls "$P/98/jobs/210/executions" >/dev/null
    lookup_batch exec "$P/98/jobs/210/executions" ""
}

t_hostile_execution_names_deeper_down_reach_only_the_status_endpoint() {
    local n rc=0
    ls "$P/98/jobs/211/executions" >/dev/null
    emu_reset
    names_file "$WORK/names" "${HOSTILE[@]}"
    for n in "${HOSTILE[@]}"; do
        assert_fails_with "No such file or directory" timeout 20 cat "$P/98/jobs/211/executions/$n/logs/driver" || rc=1
        assert_fails_with "No such file or directory" timeout 20 cat "$P/98/jobs/211/executions/$n/wait" || rc=1
    done
    assert_log_clean exec211 "$WORK/names" '98?x=1' '..%2F..%2Fhealth' || rc=1
    return $rc
}

t_hostile_table_names_reach_only_the_table_endpoint() {
    lookup_batch table "$MNT/tables" ""
}

t_hostile_record_names_reach_only_the_record_endpoint() {
    local rc=0
    ls "$MNT/tables/products" >/dev/null
    emu_reset
    # record names end in .json: keep those within 255 bytes, plus the
    # longest that still names a record as it is (235 + ".json")
    local n list=("$X240.json")
    for n in "${HOSTILE[@]}"; do
        [ "$(printf '%s.json' "$n" | wc -c)" -le 255 ] && list+=("$n.json")
    done
    names_file "$WORK/names" "${list[@]}"
    assert_enoent_everywhere "$MNT/tables/products" "" "${list[@]}" || rc=1
    assert_log_clean record "$WORK/names" '..%2F..%2Fhealth.json' '98?x=1.json' '%2E..json' "$X240.json" || rc=1
    return $rc
}

t_hostile_project_names_under_by_name_send_only_the_listing() {
    local rc=0
    ls "$P/by-name" >/dev/null
    emu_reset
    names_file "$WORK/names" "${HOSTILE[@]}"
    assert_enoent_everywhere "$P/by-name" "" "${HOSTILE[@]}" || rc=1
    assert_log_clean byname "$WORK/names" || rc=1
    return $rc
}

# html pages are fetched through the service: the whole page URL (host, '/',
# decoded page name) must travel as ONE segment, the protocol as another.
t_hostile_html_page_names_are_one_url_segment() {
    local n rc=0 out
    emu_reset
    names_file "$WORK/names" "${HOSTILE[@]}" index.html
    for n in "${HOSTILE[@]}" index.html; do
        out=$(timeout 20 cat "$MNT/html/https/example.com/$n" 2>&1 >/dev/null) || case "$out" in
            *"No such file or directory"*) ;;
            *) log "FAIL: cat html page [$n]: $out"; rc=1 ;;
        esac
    done
    assert_log_clean page "$WORK/names" index.html '..%2F..%2Fhealth' '98?x=1' '98#frag' '%2E%2E' '98%2Fjobs' "$Q240" || rc=1
    return $rc
}

t_hostile_html_host_names_are_one_url_segment() {
    local n rc=0 out
    emu_reset
    names_file "$WORK/names" "${HOSTILE[@]}"
    for n in "${HOSTILE[@]}"; do
        out=$(timeout 20 cat "$MNT/html/https/$n/index.html" 2>&1 >/dev/null) || case "$out" in
            *"No such file or directory"*) ;;
            *) log "FAIL: cat html/https/[$n]/index.html: $out"; rc=1 ;;
        esac
    done
    assert_log_clean host "$WORK/names" '..%2F..%2Fhealth' '98?x=1' '%2E.' '98%2Fjobs' "$Q240" || rc=1
    return $rc
}

t_hostile_html_protocols_are_enoent_and_send_nothing() {
    local rc=0 n
    emu_reset
    for n in 'https%3Fx=1' 'https?x=1' '..%2Fhealth' 'https%2F..' 'file' 'gopher' '%' "$X255"; do
        assert_fails_with "No such file or directory" timeout 20 cat "$MNT/html/$n/example.com/index.html" || rc=1
    done
    names_file "$WORK/names" x
    assert_log_clean none "$WORK/names" || rc=1
    return $rc
}

t_names_over_255_bytes_are_too_long_and_send_nothing() {
    local rc=0 d c
    emu_reset
    for d in "$P" "$P/98/jobs" "$P/98/jobs/210/executions" "$MNT/tables" "$MNT/tables/products" \
             "$MNT/html/https" "$MNT/html/https/example.com" "$P/by-name"; do
        for c in stat ls cat; do
            assert_fails_with "File name too long" timeout 20 $c "$d/$X256" || rc=1
            assert_fails_with "File name too long" timeout 20 $c "$d/${X256}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" || rc=1
        done
    done
    assert_fails_with "File name too long" timeout 20 cat "$MNT/tables/products/$X255.json" || rc=1
    assert_fails_with "File name too long" timeout 20 cat "$MNT/html/https/$X256/index.html" || rc=1
    names_file "$WORK/names" x
    assert_log_clean none "$WORK/names" || rc=1
    return $rc
}

# --- the key ----------------------------------------------------------------

# aux_mount DIR LOGFILE [webrobotfs args...]: a second, foreground mount on
# DIR with the environment given by the caller; its pid goes to $AUX_PIDS.
# Returns 0 once mounted, 1 if the process ended first.
aux_mount() {
    local dir=$1 logf=$2 pid i; shift 2
    mkdir -p "$dir"
    "$FS_BIN" -f "$dir" --url "$EMU_URL" -o state_dir="$WORK/aux-state" "$@" 2>"$logf" &
    pid=$!
    echo "$pid $dir" >>"$AUX_PIDS"
    for i in $(seq 1 100); do
        grep -q " $dir fuse" /proc/mounts && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

aux_cleanup() {
    local pid dir
    while read -r pid dir; do
        [ -n "$pid" ] || continue
        grep -q " $dir fuse" /proc/mounts && { fusermount3 -u "$dir" 2>/dev/null || fusermount3 -uz "$dir" 2>/dev/null; }
        wait_pid "$pid" 50 || kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null || true
    done <"$AUX_PIDS"
    : >"$AUX_PIDS"
}
trap 'aux_cleanup 2>/dev/null; cleanup' EXIT

# refused_at_start OUTFILE DIR [args...]: run webrobotfs on DIR expecting it
# to refuse to start (non-zero exit within 20 s, nothing mounted); its
# output goes to OUTFILE. Fails if it mounted (then unmounts it) or hung.
refused_at_start() {
    local outf=$1 dir=$2 rc; shift 2
    mkdir -p "$dir"
    rc=0
    timeout 20 "$FS_BIN" -f "$dir" "$@" >"$outf" 2>&1 || rc=$?
    if grep -q " $dir fuse" /proc/mounts; then
        fusermount3 -uz "$dir" 2>/dev/null
        log "FAIL: webrobotfs $* mounted; expected a refusal"
        return 1
    fi
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && return 0
    log "FAIL: webrobotfs $* exited $rc (124 = hung); output: $(head -c 300 "$outf")"
    return 1
}

assert_no_secret_in() { # FILE what
    if grep -aq -- "$SECRET_PART" "$1"; then
        log "FAIL: the key appears in $2: $(grep -a -m1 -- "$SECRET_PART" "$1" | head -c 200)"
        return 1
    fi
}

assert_output_says() { # FILE text
    grep -aqi -- "$2" "$1" && return 0
    log "FAIL: expected output saying [$2], got: $(head -c 300 "$1")"
    return 1
}

make_key_file() { # PATH MODE
    rm -f "$1"
    printf '%s\n' "$SECRET_KEY" >"$1"
    chmod "$2" "$1"
}

t_key_file_readable_by_group_or_others_is_refused_with_the_reason() {
    local m rc=0
    for m in 644 640 604 660 620 610 601; do
        make_key_file "$WORK/key$m" "$m"
        refused_at_start "$WORK/out$m" "$WORK/nowhere" -o api_key_file="$WORK/key$m" --url "$EMU_URL" \
            -o state_dir="$WORK/aux-state" || { rc=1; continue; }
        assert_output_says "$WORK/out$m" "private (chmod 600)" || rc=1
        assert_no_secret_in "$WORK/out$m" "the refusal of a mode $m key file" || rc=1
    done
    return $rc
}

t_key_file_owned_by_another_user_is_refused() {
    make_key_file "$WORK/key-nobody" 600
    chown nobody "$WORK/key-nobody"
    refused_at_start "$WORK/out-nobody" "$WORK/nowhere" -o api_key_file="$WORK/key-nobody" --url "$EMU_URL" \
        -o state_dir="$WORK/aux-state"
    assert_output_says "$WORK/out-nobody" "owned by you"
    assert_no_secret_in "$WORK/out-nobody" "the refusal of another user's key file"
}

t_key_file_that_is_a_symlink_is_refused() {
    make_key_file "$WORK/key-real" 600
    ln -sf "$WORK/key-real" "$WORK/key-link"
    refused_at_start "$WORK/out-link" "$WORK/nowhere" -o api_key_file="$WORK/key-link" --url "$EMU_URL" \
        -o state_dir="$WORK/aux-state"
    assert_output_says "$WORK/out-link" "symbolic link"
    assert_no_secret_in "$WORK/out-link" "the refusal of a symlinked key file"
}

t_key_file_that_is_a_directory_or_missing_is_refused() {
    mkdir -p "$WORK/key-dir"
    chmod 700 "$WORK/key-dir"
    refused_at_start "$WORK/out-dir" "$WORK/nowhere" -o api_key_file="$WORK/key-dir" --url "$EMU_URL" \
        -o state_dir="$WORK/aux-state"
    assert_output_says "$WORK/out-dir" "not a regular file"
    refused_at_start "$WORK/out-missing" "$WORK/nowhere" -o api_key_file="$WORK/no-such-key" --url "$EMU_URL" \
        -o state_dir="$WORK/aux-state"
    assert_output_says "$WORK/out-missing" "does not exist"
}

# A FIFO passes the name checks; opening it must not block the start-up
# forever (nobody will ever write to it).
t_key_file_that_is_a_fifo_is_refused_without_hanging() {
    rm -f "$WORK/key-fifo"
    mkfifo -m 600 "$WORK/key-fifo"
    refused_at_start "$WORK/out-fifo" "$WORK/nowhere" -o api_key_file="$WORK/key-fifo" --url "$EMU_URL" \
        -o state_dir="$WORK/aux-state"
    assert_output_says "$WORK/out-fifo" "not a regular file"
}

t_key_file_with_mode_600_is_accepted_and_works() {
    make_key_file "$WORK/key600" 600
    aux_cleanup
    local ok=0
    # no key in the environment: it can only come from the file
    WEBROBOT_API_KEY= aux_mount "$WORK/mnt600" "$WORK/fs600.err" -o api_key_file="$WORK/key600" || ok=1
    if [ $ok -ne 0 ]; then
        log "FAIL: mode 600 key file refused: $(head -c 300 "$WORK/fs600.err")"
        aux_cleanup
        return 1
    fi
    local got
    got=$(jq -r .id "$WORK/mnt600/projects/98/project.json" 2>&1)
    aux_cleanup
    assert_eq 98 "$got" "project 98 through a key-file mount"
    assert_no_secret_in "$WORK/fs600.err" "the key-file mount's output"
}

t_key_from_a_private_config_file_works_and_a_readable_one_is_refused() {
    local cfg="$WORK/xdg/webrobotfs/config" ok=0 got out
    mkdir -p "$(dirname "$cfg")"
    printf '# webrobotfs\napi_key = %s\n' "$SECRET_KEY" >"$cfg"
    chmod 600 "$cfg"
    aux_cleanup
    # no key in the environment nor a key file: only the config file has it
    WEBROBOT_API_KEY= XDG_CONFIG_HOME="$WORK/xdg" aux_mount "$WORK/mntcfg" "$WORK/fscfg.err" || ok=1
    if [ $ok -ne 0 ]; then
        log "FAIL: private config file refused: $(head -c 300 "$WORK/fscfg.err")"
        aux_cleanup
        return 1
    fi
    got=$(jq -r .id "$WORK/mntcfg/projects/98/project.json" 2>&1)
    aux_cleanup
    assert_eq 98 "$got" "project 98 through a config-file mount"
    chmod 644 "$cfg"
    mkdir -p "$WORK/mntcfg"
    if out=$(WEBROBOT_API_KEY= XDG_CONFIG_HOME="$WORK/xdg" timeout 20 "$FS_BIN" -f "$WORK/mntcfg" \
             --url "$EMU_URL" -o state_dir="$WORK/cfg-state" 2>&1); then
        log "FAIL: a config file others can read was accepted"
        fusermount3 -uz "$WORK/mntcfg" 2>/dev/null
        return 1
    fi
    case "$out" in *"private (chmod 600)"*) ;; *) log "got: $out"; return 1 ;; esac
    case "$out" in *"$SECRET_KEY"*) log "the key was printed"; return 1 ;; esac
}

t_key_on_the_command_line_is_refused_without_echoing_it() {
    local rc=0 i
    local -a forms=(
        "-o api_key=$SECRET_KEY"
        "-o ro,api_key=$SECRET_KEY"
        "-oapi_key=$SECRET_KEY"
        "--api-key $SECRET_KEY"
        "--api-key=$SECRET_KEY"
    )
    for i in "${!forms[@]}"; do
        # shellcheck disable=SC2086
        refused_at_start "$WORK/out-cl$i" "$WORK/nowhere" --url "$EMU_URL" -o state_dir="$WORK/aux-state" \
            ${forms[$i]} || { rc=1; continue; }
        assert_output_says "$WORK/out-cl$i" "never taken from the command line" || rc=1
        assert_no_secret_in "$WORK/out-cl$i" "the refusal of [${forms[$i]%%=*}]" || rc=1
    done
    return $rc
}

t_wrong_key_is_refused_at_start_without_printing_it() {
    local wrong="sec-org:Wr0ngKey-zz81QQ"
    WEBROBOT_API_KEY=$wrong refused_at_start "$WORK/out-wrong" "$WORK/nowhere" --url "$EMU_URL" \
        -o state_dir="$WORK/aux-state"
    assert_output_says "$WORK/out-wrong" "refused the API key"
    if grep -aq "Wr0ngKey-zz81QQ" "$WORK/out-wrong"; then
        log "FAIL: the refused key was printed: $(cat "$WORK/out-wrong")"
        return 1
    fi
    # same with debug output on
    WEBROBOT_API_KEY=$wrong refused_at_start "$WORK/out-wrong-d" "$WORK/nowhere" -d --url "$EMU_URL" \
        -o state_dir="$WORK/aux-state"
    ! grep -aq "Wr0ngKey-zz81QQ" "$WORK/out-wrong-d"
}

t_malformed_key_is_refused_without_printing_it() {
    WEBROBOT_API_KEY="no-colon-$SECRET_PART" refused_at_start "$WORK/out-bad" "$WORK/nowhere" \
        --url "$EMU_URL" -o state_dir="$WORK/aux-state"
    assert_output_says "$WORK/out-bad" "ORGANIZATION:KEY"
    assert_no_secret_in "$WORK/out-bad" "the refusal of a malformed key"
}

# The main mount runs with -d: after reads, an execute followed to its end,
# a 401 in mid-session and a walk of the whole tree, the key is in no debug
# line, not in the command line, in no file of the mount or the state dir.
t_the_key_never_appears_in_debug_output_cmdline_or_files() {
    local rc=0 id
    cat "$MNT/health" "$P/98/project.json" "$P/98/jobs/210/job.json" "$MNT/.stats" >/dev/null
    ls -l "$MNT/tables/products" >/dev/null
    echo >"$P/98/jobs/212/execute"
    id=$(readlink "$P/98/jobs/212/executions/latest")
    [ -n "$id" ]
    assert_eq COMPLETED "$(timeout 30 cat "$P/98/jobs/212/executions/$id/wait")" "wait" || rc=1
    cat "$P/98/jobs/212/executions/$id/logs/all" >/dev/null
    # the API starts refusing the key in mid-session: EACCES, and a warning
    curl -s --max-time 5 -X POST -d '{"error_rate":1,"error_codes":[401],"only_path_prefix":"/webrobot/api/projects/id/101"}' \
        "$EMU_URL/_emu/fault" >/dev/null
    assert_fails_with "Permission denied" timeout 20 cat "$P/101/project.json" || rc=1
    curl -s --max-time 5 -X DELETE "$EMU_URL/_emu/fault" >/dev/null
    grep -aq "HTTP 401" "$WORK/fs.err" || { log "FAIL: no 401 warning in the log"; rc=1; }
    grep -aq "unique:" "$WORK/fs.err" || { log "FAIL: the mount is not in debug mode"; rc=1; }
    # every file of the mount (wait files are not listed, so no blocking)
    local found grc=0
    found=$(timeout 90 grep -rlas -- "$SECRET_PART" "$MNT" 2>/dev/null) || grc=$?
    [ $grc -ne 124 ] || { log "FAIL: grep -r over the mount timed out"; rc=1; }
    [ -z "$found" ] || { log "FAIL: the key is in: $found"; rc=1; }
    found=$(grep -rlas -- "$SECRET_PART" "$STATE" 2>/dev/null) || true
    [ -z "$found" ] || { log "FAIL: the key is in the state dir: $found"; rc=1; }
    tr '\0' ' ' <"/proc/$FS_PID/cmdline" >"$WORK/cmdline"
    assert_no_secret_in "$WORK/cmdline" "/proc/$FS_PID/cmdline" || rc=1
    assert_no_secret_in "$WORK/fs.err" "the debug output" || rc=1
    return $rc
}

# --- TLS ----------------------------------------------------------------------

# https:// against the plain-HTTP emulator: either refused at mount or
# mounted with reads failing with EIO in time; never a hang, never a
# silent fallback to plain HTTP.
t_https_against_a_plain_http_server_fails_cleanly() {
    local port=${EMU_URL##*:} out rc=0 start ms
    aux_cleanup
    emu_reset
    if WEBROBOT_API_KEY=$SECRET_KEY aux_mount "$WORK/mnt-tls" "$WORK/fs-tls.err" \
            --url "https://127.0.0.1:$port" -o timeout=3; then
        start=$(date +%s%N)
        assert_fails_with "Input/output error" timeout 20 cat "$WORK/mnt-tls/projects/98/project.json" || rc=1
        ms=$((($(date +%s%N) - start) / 1000000))
        assert_le 6000 "$ms" "ms until EIO (timeout=3)" || rc=1
    else
        assert_output_says "$WORK/fs-tls.err" "ssl\|tls\|certificate" || rc=1
    fi
    aux_cleanup
    # no request was understood as an API request by the plain-HTTP server
    assert_eq 0 "$(emu_total)" "API requests the plain-HTTP server answered" || rc=1
    assert_no_secret_in "$WORK/fs-tls.err" "the TLS failure output" || rc=1
    return $rc
}

t_insecure_prints_a_warning() {
    local rc=0
    aux_cleanup
    WEBROBOT_API_KEY=$SECRET_KEY aux_mount "$WORK/mnt-insecure" "$WORK/fs-insecure.err" -o insecure || rc=1
    aux_cleanup
    assert_output_says "$WORK/fs-insecure.err" "warning: TLS certificate checks are OFF" || rc=1
    assert_no_secret_in "$WORK/fs-insecure.err" "the insecure mount's output" || rc=1
    return $rc
}

start_emu --run-seconds 2 --key "$SECRET_KEY"
mount_fs -d -o tables=products
# ONLY=REGEX runs just the matching tests (while working on one).
if [ -n "${ONLY:-}" ]; then
    for _t in $(declare -F | awk '{print $3}' | grep '^t_' | grep -Ev -- "$ONLY"); do unset -f "$_t"; done
fi
run_tests
