#!/usr/bin/env bash
# The write side (src/fs_write.c): documents saved with one PUT at the last
# close or on fsync, editors and tools that save through temporary files and
# renames, scratch files, Strapi tables (pages, POST, DELETE), task actions,
# and the read-only trees. Every case asserts on what the emulator received
# (/_emu/stats) and, for writes, on the exact bytes sent: the mount talks to
# the emulator through tools/body_proxy.py, which logs each non-GET body.
. "$(dirname "$0")/lib.sh"

TOOLS="$(cd "$(dirname "$0")" && pwd)/tools"
BODIES="$WORK/bodies.jsonl"
PROXY_PID=""
PROXY_URL=""
P98="$MNT/projects/98"
P101="$MNT/projects/101"
P102="$MNT/projects/102"
TBL="$MNT/tables/products"
export HOME="$WORK/home"    # vim and nano keep nothing of ours elsewhere
mkdir -p "$HOME"

R_PUT_PROJECT="PUT /webrobot/api/projects/id/{projectId}"
R_PUT_SCHEDULE="PUT /webrobot/api/projects/id/{projectId}/schedule"
R_PUT_JOB="PUT /webrobot/api/projects/id/{projectId}/jobs/{jobId}"
R_TABLE_PAGE="GET /api/strapi-tables/{table}"
R_RECORD_POST="POST /api/strapi-tables/{table}"
R_RECORD_PUT="PUT /api/strapi-tables/{table}/{id}"
R_RECORD_DELETE="DELETE /api/strapi-tables/{table}/{id}"
R_TASK_START="POST /webrobot/api/projects/id/{projectId}/jobs/{jobId}/tasks/{taskId}/start"
R_TASK_STOP="POST /webrobot/api/projects/id/{projectId}/jobs/{jobId}/tasks/{taskId}/stop"

# --- proxy and mount ---------------------------------------------------------

start_proxy() {
    : >"$BODIES"
    python3 "$TOOLS/body_proxy.py" "$EMU_URL" "$BODIES" >"$WORK/proxy.out" 2>"$WORK/proxy.err" &
    PROXY_PID=$!
    local i
    for i in $(seq 1 100); do
        PROXY_URL=$(sed -n 's/^listening on \(http:[^ ]*\)$/\1/p' "$WORK/proxy.out" 2>/dev/null)
        [ -n "$PROXY_URL" ] && return 0
        kill -0 "$PROXY_PID" 2>/dev/null || break
        sleep 0.05
    done
    log "proxy did not start: $(cat "$WORK/proxy.err")"
    return 1
}

stop_proxy() {
    [ -n "$PROXY_PID" ] || return 0
    kill "$PROXY_PID" 2>/dev/null
    wait_pid "$PROXY_PID" 30 || kill -9 "$PROXY_PID" 2>/dev/null
    wait "$PROXY_PID" 2>/dev/null || true
    PROXY_PID=""
}
trap 'cleanup; stop_proxy' EXIT

mount_writes() { EMU_URL=$PROXY_URL mount_fs -o tables=products "$@"; }
remount() { unmount_fs; mount_writes; }

# --- helpers -----------------------------------------------------------------

# Every test starts from zeroed counters and an empty body log, with a
# private temp dir; on_exit adds a cleanup step run however the test ends
# (each test runs in its own subshell).
CLEAN=""
on_exit() { CLEAN="$1; $CLEAN"; trap "$CLEAN" EXIT; }
begin() {
    emu_reset
    : >"$BODIES"
    TMP=$(mktemp -d "$WORK/tmp.XXXXXX")
    on_exit 'rm -rf "$TMP"'
}

# api PATH [curl options]: the emulator directly (not through the mount).
api() { local p=$1; shift; curl -s --max-time 10 -H "X-API-Key: $KEY" "$@" "$EMU_URL$p"; }

# Non-GET requests the emulator received, "ROUTE=N;..." sorted.
writes_sent() {
    emu_stats | jq -r '.routes | to_entries[] | select(.key | startswith("GET ") | not)
                       | "\(.key)=\(.value)"' | sort | paste -sd';'
}
# assert_writes ["ROUTE=N"...]: exactly these non-GET requests (none if no argument).
assert_writes() {
    local want
    want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | paste -sd';')
    assert_eq "$want" "$(writes_sent)" "non-GET requests received by the emulator"
}

# The exact body of the last request with that method, as the proxy saw it.
last_body() { jq -sj --arg m "$1" '[.[] | select(.method == $m)] | last | .body // ""' "$BODIES"; }
# assert_body METHOD FILE: the last METHOD carried exactly FILE's bytes.
assert_body() {
    last_body "$1" >"$TMP/sent.body"
    cmp -s "$TMP/sent.body" "$2" && return 0
    log "FAIL: the $1 body differs from $2:"
    diff "$2" "$TMP/sent.body" | head -20 >&2
    return 1
}

# assert_doc FILE API_PATH WANT_JSON: the document, re-read through the
# mount and fetched from the emulator, is WANT_JSON (updatedAt aside), and
# stat tells the size cat reads.
assert_doc() {
    local file=$1 path=$2 want got from_api
    want=$(jq -S 'del(.updatedAt)' "$3")
    got=$(jq -S 'del(.updatedAt)' "$file") || { log "FAIL: $file is not JSON"; return 1; }
    from_api=$(api "$path" | jq -S 'del(.updatedAt)')
    assert_eq "$want" "$got" "$file re-read through the mount"
    assert_eq "$want" "$from_api" "$path from the emulator"
    assert_eq "$(wc -c <"$file")" "$(stat -c %s "$file")" "stat size of $file"
}

# expect_edit ORIG OUT jq-filter: OUT = ORIG with the change applied.
expect_edit() { jq "$3" "$1" >"$2"; }

tag() { date +%s%N; }

# Names in a directory (with dot files) on one line, table records aside:
# other tests create and remove those (and the listing is cached).
names_in() { ls -A "$1" | grep -Ev '^[0-9]+\.json$' | sort | paste -sd' '; }

# record_id_named TABLE NAME: the emulator's id of the record with that name.
record_id_named() {
    api "/api/strapi-tables/$1?page=0&pageSize=500" |
        jq -r --arg n "$2" '[.data[] | select(.name == $n) | .id] | map(tostring) | join(" ")'
}
delete_record() { api "/api/strapi-tables/$1/$2" -X DELETE >/dev/null; }

# --- documents: one PUT of the whole document ---------------------------------

t_three_chunk_python_write_is_one_put_of_the_whole_document() {
    begin
    local f="$P98/project.json" new="three chunks $(tag)"
    cp "$f" "$TMP/orig.json"
    expect_edit "$TMP/orig.json" "$TMP/want.json" ".description = \"$new\""
    python3 - "$f" "$TMP/want.json" <<'EOF'
import sys
want = open(sys.argv[2], "rb").read()
n = len(want) // 3
with open(sys.argv[1], "wb", buffering=0) as f:
    for chunk in (want[:n], want[n:2 * n], want[2 * n:]):
        assert f.write(chunk) == len(chunk)
EOF
    assert_writes "$R_PUT_PROJECT=1"
    assert_body PUT "$TMP/want.json"
    assert_doc "$f" /webrobot/api/projects/id/98 "$TMP/want.json"
}

t_fsync_sends_the_document_and_close_sends_nothing_more() {
    begin
    local f="$P101/project.json" new="fsynced $(tag)"
    cp "$f" "$TMP/orig.json"
    expect_edit "$TMP/orig.json" "$TMP/want.json" ".description = \"$new\""
    python3 - "$f" "$TMP/want.json" "$EMU_URL" <<'EOF'
import json, os, sys, urllib.request
def puts():
    r = json.load(urllib.request.urlopen(sys.argv[3] + "/_emu/stats"))["routes"]
    return r.get("PUT /webrobot/api/projects/id/{projectId}", 0)
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, open(sys.argv[2], "rb").read())
assert puts() == 0, "PUT before fsync"
os.fsync(fd)
assert puts() == 1, "PUTs after fsync: %d" % puts()
os.close(fd)
assert puts() == 1, "PUTs after close: %d" % puts()
EOF
    assert_writes "$R_PUT_PROJECT=1"
    assert_body PUT "$TMP/want.json"
    assert_doc "$f" /webrobot/api/projects/id/101 "$TMP/want.json"
}

t_opening_for_writing_and_closing_without_writing_sends_nothing() {
    begin
    local f
    for f in "$P98/project.json" "$P98/schedule.json" "$P98/jobs/210/job.json" "$TBL/3.json"; do
        cp "$f" "$TMP/before"
        python3 - "$f" <<'EOF'
import os, sys
os.close(os.open(sys.argv[1], os.O_WRONLY))
fd = os.open(sys.argv[1], os.O_RDWR)
assert os.read(fd, 1 << 20) == open(sys.argv[1], "rb").read()
os.fsync(fd)
os.close(fd)
EOF
        exec 3>>"$f"
        exec 3>&-
        touch "$f"
        cmp "$TMP/before" "$f"
    done
    # a new record name opened and closed empty creates nothing
    touch "$TBL/touched-$$.json"
    assert_fails_with "No such file or directory" cat "$TBL/touched-$$.json"
    assert_writes
}

t_truncating_a_document_to_empty_sends_nothing_and_keeps_it() {
    begin
    local f="$P102/project.json"
    cp "$f" "$TMP/before"
    : >"$f"
    truncate -s 0 "$f"
    python3 -c 'import sys; open(sys.argv[1], "w").close()' "$f"
    assert_writes
    cmp "$TMP/before" "$f"
    api /webrobot/api/projects/id/102 | jq -S . >"$TMP/api"
    assert_eq "$(jq -S . "$TMP/before")" "$(cat "$TMP/api")" "project 102 in the emulator"
}

t_invalid_json_fails_close_and_fsync_with_einval_and_sends_nothing() {
    begin
    local f="$P98/jobs/211/job.json"
    cp "$f" "$TMP/before"
    assert_fails_with "Invalid argument" python3 -c '
import sys
f = open(sys.argv[1], "w"); f.write("{nope"); f.close()' "$f"
    assert_fails_with "Invalid argument" sh -c "printf '[1,2]\n' | dd of='$f' status=none"
    assert_fails_with "Invalid argument" sh -c "printf '\"just a string\"' | dd of='$f' status=none"
    assert_fails_with "Invalid argument" sh -c "head -c 40 '$TMP/before' | dd of='$f' status=none"
    # fsync checks too; the document stays changed, so completing it and
    # closing sends it once
    python3 - "$f" "$EMU_URL" <<'EOF'
import errno, json, os, sys, urllib.request
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(fd, b'{"description":')
try:
    os.fsync(fd)
    sys.exit("fsync of an incomplete document succeeded")
except OSError as e:
    assert e.errno == errno.EINVAL, e
r = json.load(urllib.request.urlopen(sys.argv[2] + "/_emu/stats"))["routes"]
assert not [k for k in r if not k.startswith("GET ")], r
os.write(fd, b' "completed after a failed fsync"}\n')
os.close(fd)
EOF
    assert_writes "$R_PUT_JOB=1"
    printf '{"description": "completed after a failed fsync"}\n' >"$TMP/sent"
    assert_body PUT "$TMP/sent"
    expect_edit "$TMP/before" "$TMP/want.json" '.description = "completed after a failed fsync"'
    assert_doc "$f" /webrobot/api/projects/id/98/jobs/211 "$TMP/want.json"
}

# JSON followed by anything else is not a JSON document either.
t_json_with_trailing_garbage_is_einval_and_sends_nothing() {
    begin
    local f="$P102/schedule.json"
    cp "$f" "$TMP/before"
    assert_fails_with "Invalid argument" sh -c \
        "printf '{\"timezone\": \"UTC\"} trailing words' | dd of='$f' status=none"
    assert_fails_with "Invalid argument" sh -c \
        "printf '{\"timezone\": \"UTC\"}{\"enabled\": false}' | dd of='$f' status=none"
    assert_writes
    cmp "$TMP/before" "$f"
}

t_api_refusal_comes_back_as_errno_and_changes_nothing() {
    begin
    local f="$P101/schedule.json" j="$P101/jobs/311/job.json"
    cp "$f" "$TMP/before"
    # the API refuses a bad cron expression: 400 -> EINVAL, after one PUT
    expect_edit "$TMP/before" "$TMP/bad.json" '.cronSchedule = "every day at noon"'
    assert_fails_with "Invalid argument" dd if="$TMP/bad.json" of="$f" status=none
    assert_writes "$R_PUT_SCHEDULE=1"
    assert_body PUT "$TMP/bad.json"
    cmp "$TMP/before" "$f"
    # a 409 from the API is EBUSY
    cp "$j" "$TMP/job.before"
    expect_edit "$TMP/job.before" "$TMP/job.new" '.description = "refused"'
    on_exit 'curl -s -X DELETE "$EMU_URL/_emu/fault" >/dev/null'
    curl -s -X POST "$EMU_URL/_emu/fault" -d '{"error_rate": 1, "error_codes": [409],
        "only_path_prefix": "/webrobot/api/projects/id/101/jobs/311"}' >/dev/null
    assert_fails_with "Device or resource busy" dd if="$TMP/job.new" of="$j" status=none
    curl -s -X DELETE "$EMU_URL/_emu/fault" >/dev/null
    assert_writes "$R_PUT_SCHEDULE=1" "$R_PUT_JOB=1"
    assert_doc "$j" /webrobot/api/projects/id/101/jobs/311 "$TMP/job.before"
}

# Offsets, ftruncate, O_APPEND and a second descriptor, mirrored on a local
# file: the mount must read back what the local file holds at every step and
# send exactly its final bytes, once, at the last close.
t_offsets_truncate_and_append_behave_as_on_a_local_file() {
    begin
    local f="$P102/jobs/410/job.json" new="mirrored $(tag)"
    cp "$f" "$TMP/local.json"
    python3 - "$f" "$TMP/local.json" "$new" "$EMU_URL" <<'EOF'
import json, os, sys, urllib.request
remote, local, new, emu = sys.argv[1:]
def puts():
    r = json.load(urllib.request.urlopen(emu + "/_emu/stats"))["routes"]
    return sum(v for k, v in r.items() if not k.startswith("GET "))
fds = [(os.open(remote, os.O_RDWR), os.open(local, os.O_RDWR))]
def same(step):
    for r, l in fds[:1]:
        a, b = os.pread(r, 1 << 20, 0), os.pread(l, 1 << 20, 0)
        assert a == b, "%s: mount %r != local %r" % (step, a[-60:], b[-60:])
        assert os.fstat(r).st_size == os.fstat(l).st_size, step
text = os.pread(fds[0][1], 1 << 20, 0)
same("open")
key = b'"description": "'
at = text.index(key) + len(key)
for r, l in fds:                      # overwrite 4 bytes in the middle
    os.pwrite(r, b"XXXX", at); os.pwrite(l, b"XXXX", at)
same("pwrite")
for r, l in fds:                      # write past the end, then cut back
    os.pwrite(r, b"tail", len(text) + 10); os.pwrite(l, b"tail", len(text) + 10)
same("write past the end")
for r, l in fds:                      # cut inside the value
    os.ftruncate(r, at); os.ftruncate(l, at)
same("ftruncate")
rest = text[text.index(b'"', at):]    # the closing quote and the rest
fds.append((os.open(remote, os.O_WRONLY | os.O_APPEND), os.open(local, os.O_WRONLY | os.O_APPEND)))
r2, l2 = fds[1]
for part in (new.encode(), rest[:10], rest[10:]):
    os.write(r2, part); os.write(l2, part)
same("O_APPEND writes")
os.lseek(fds[0][0], 0, 0); os.lseek(fds[0][1], 0, 0)
assert os.read(fds[0][0], 1 << 20) == os.read(fds[0][1], 1 << 20)
os.close(r2); os.close(l2)
assert puts() == 0, "sent before the last writer closed"
os.close(fds[0][0]); os.close(fds[0][1])
assert puts() == 1, "requests after the last close: %d" % puts()
EOF
    assert_writes "$R_PUT_JOB=1"
    assert_body PUT "$TMP/local.json"
    jq -e --arg d "$new" '.description == $d' "$TMP/local.json" >/dev/null
    assert_doc "$f" /webrobot/api/projects/id/102/jobs/410 "$TMP/local.json"
}

t_two_writers_send_one_put_at_the_last_close() {
    begin
    local f="$P98/jobs/212/job.json" new="two writers $(tag)"
    cp "$f" "$TMP/orig.json"
    expect_edit "$TMP/orig.json" "$TMP/want.json" ".description = \"$new\""
    python3 - "$f" "$TMP/want.json" "$EMU_URL" <<'EOF'
import json, os, sys, urllib.request
def sent():
    r = json.load(urllib.request.urlopen(sys.argv[3] + "/_emu/stats"))["routes"]
    return sum(v for k, v in r.items() if not k.startswith("GET "))
want = open(sys.argv[2], "rb").read()
a = os.open(sys.argv[1], os.O_RDWR)
b = os.open(sys.argv[1], os.O_WRONLY | os.O_TRUNC)
os.write(b, want[:20])
os.pwrite(a, want[20:], 20)
os.close(b)
assert sent() == 0, "sent when the first of two writers closed"
assert os.pread(a, 1 << 20, 0) == want
os.close(a)
assert sent() == 1, sent()
EOF
    assert_writes "$R_PUT_JOB=1"
    assert_body PUT "$TMP/want.json"
    assert_doc "$f" /webrobot/api/projects/id/98/jobs/212 "$TMP/want.json"
}

t_truncate_by_path_to_a_shorter_document_is_one_put() {
    begin
    local f="$P101/jobs/310/job.json" size
    cp "$f" "$TMP/orig.json"
    size=$(stat -c %s "$TMP/orig.json")
    head -c $((size - 1)) "$TMP/orig.json" >"$TMP/cut.json"     # without the final newline
    python3 -c 'import os, sys; os.truncate(sys.argv[1], int(sys.argv[2]))' "$f" $((size - 1))
    assert_writes "$R_PUT_JOB=1"
    assert_body PUT "$TMP/cut.json"
    assert_doc "$f" /webrobot/api/projects/id/101/jobs/310 "$TMP/orig.json"
}

# After a save, stat and cat must tell the document as the API has it, even
# when the writer's last call was ftruncate (the kernel then holds the size
# the writer set) and even when the save failed and nothing was sent.
t_size_and_content_are_right_just_after_a_save_ending_in_ftruncate() {
    begin
    local f="$P101/jobs/311/job.json" want
    cat "$f" >/dev/null
    sleep 1.3       # the size the kernel has is now settled
    python3 - "$f" <<'EOF'
import os, sys
doc = b'{"description": "cut by ftruncate"}'
fd = os.open(sys.argv[1], os.O_RDWR)
os.ftruncate(fd, 0)
os.write(fd, doc + b" and garbage after it")
os.ftruncate(fd, len(doc))
os.close(fd)
EOF
    cp "$f" "$TMP/read.json"
    assert_writes "$R_PUT_JOB=1"
    api /webrobot/api/projects/id/101/jobs/311 | jq . >"$TMP/api.json"
    want=$(wc -c <"$TMP/api.json")
    assert_eq "$want" "$(wc -c <"$TMP/read.json")" "bytes read just after the save"
    jq -e '.description == "cut by ftruncate"' "$TMP/read.json" >/dev/null
    assert_eq "$want" "$(stat -c %s "$f")" "stat size just after the save"
}

t_size_and_content_are_unchanged_just_after_a_failed_save() {
    begin
    local f="$P102/jobs/410/job.json"
    cp "$f" "$TMP/before"
    sleep 1.3
    python3 - "$f" <<'EOF'
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.ftruncate(fd, 10)
try:
    os.close(fd)
    sys.exit("close of a cut document succeeded")
except OSError as e:
    assert e.errno == errno.EINVAL, e
EOF
    cp "$f" "$TMP/read"
    assert_writes
    assert_eq "$(wc -c <"$TMP/before")" "$(wc -c <"$TMP/read")" "bytes read just after the failed save"
    cmp "$TMP/before" "$TMP/read"
    assert_eq "$(wc -c <"$TMP/before")" "$(stat -c %s "$f")" "stat size just after the failed save"
}

# Opening a document for writing while its last writer closes must still
# start from the document's text, never from an empty buffer.
t_concurrent_opens_for_writing_always_see_the_document() {
    begin
    local f="$P98/jobs/210/job.json"
    python3 - "$f" <<'EOF'
import os, sys, time
p = sys.argv[1]
want = open(p, "rb").read()
pid = os.fork()
if pid == 0:
    end = time.time() + 2.5
    while time.time() < end:
        os.close(os.open(p, os.O_WRONLY))
    os._exit(0)
bad = empty = n = 0
end = time.time() + 2.5
while time.time() < end:
    fd = os.open(p, os.O_RDWR)
    got = os.pread(fd, 65536, 0)
    os.close(fd)
    n += 1
    if got != want:
        bad += 1
        empty += not got
os.waitpid(pid, 0)
if bad:
    sys.exit("%d of %d opens for writing read other bytes than the document "
             "(%d of them an empty file)" % (bad, n, empty))
EOF
    assert_writes
}

# --- editors and tools --------------------------------------------------------

# vim -es with its built-in defaults (compatible, writebackup, swap file).
t_vim_with_default_settings_saves_with_one_put() {
    begin
    local d="$P98" f="$P98/project.json" new="vim defaults $(tag)" names
    cp "$f" "$TMP/orig.json"
    names=$(names_in "$d")
    sed "s/\"description\": \"[^\"]*\"/\"description\": \"$new\"/" "$TMP/orig.json" >"$TMP/want.json"
    (cd "$d" && timeout 30 vim -es -c "%s/\"description\": \"[^\"]*\"/\"description\": \"$new\"/" \
        -c "silent !ls -A > $TMP/during" -c wq project.json </dev/null)
    grep -qx '.project.json.swp' "$TMP/during" || { log "no swap file while vim ran: $(cat "$TMP/during")"; return 1; }
    assert_writes "$R_PUT_PROJECT=1"
    assert_body PUT "$TMP/want.json"
    assert_eq "$names" "$(names_in "$d")" "names left in the directory"
    assert_doc "$f" /webrobot/api/projects/id/98 "$TMP/want.json"
}

# Swap file, and a backup made by renaming the document ('backupcopy=auto'
# chooses rename after its "4913" probe) and kept ('backup').
t_vim_with_swap_and_kept_backup_saves_with_one_put() {
    begin
    local d="$P101/jobs/310" f="$P101/jobs/310/job.json" new="vim backup $(tag)" names
    on_exit "rm -f '$d/job.json~'"
    cp "$f" "$TMP/orig.json"
    names=$(names_in "$d")
    sed "s/\"description\": \"[^\"]*\"/\"description\": \"$new\"/" "$TMP/orig.json" >"$TMP/want.json"
    (cd "$d" && timeout 30 vim -es -N -u NONE -i NONE \
        --cmd 'set backup writebackup backupcopy=auto backupskip= backupdir=. directory=.' \
        -c "%s/\"description\": \"[^\"]*\"/\"description\": \"$new\"/" \
        -c "silent !ls -A > $TMP/during" -c wq job.json </dev/null)
    grep -qx '.job.json.swp' "$TMP/during" || { log "no swap file while vim ran: $(cat "$TMP/during")"; return 1; }
    assert_writes "$R_PUT_JOB=1"
    assert_body PUT "$TMP/want.json"
    assert_doc "$f" /webrobot/api/projects/id/101/jobs/310 "$TMP/want.json"
    # the backup holds the old text, lives only in the mount, and goes with rm
    cmp "$TMP/orig.json" "$d/job.json~"
    assert_eq "$(echo "$names job.json~" | tr ' ' '\n' | sort | paste -sd' ')" "$(names_in "$d")" "names with the backup"
    rm "$d/job.json~"
    assert_eq "$names" "$(names_in "$d")" "names after removing the backup"
    assert_writes "$R_PUT_JOB=1"
}

# defaults.vim (nocompatible: backupcopy=auto, writebackup) as it behaves
# outside /tmp: the document is renamed aside, rewritten, the backup deleted.
t_vim_with_defaults_vim_saves_a_record_with_one_put() {
    begin
    local f="$TBL/7.json" names new
    new="12$(date +%N | cut -c1-3).25"
    cp "$f" "$TMP/orig.json"
    names=$(names_in "$TBL")
    sed "s/\"price\": [0-9.]*/\"price\": $new/" "$TMP/orig.json" >"$TMP/want.json"
    (cd "$TBL" && timeout 30 vim -es -u DEFAULTS -i NONE --cmd 'set backupskip=' \
        -c "%s/\"price\": [0-9.]*/\"price\": $new/" -c wq 7.json </dev/null)
    assert_writes "$R_RECORD_PUT=1"
    assert_body PUT "$TMP/want.json"
    assert_eq "$names" "$(names_in "$TBL")" "names left in the table directory"
    assert_doc "$f" /api/strapi-tables/products/7 "$TMP/want.json"
}

# nano in a pseudo-terminal (script), with --backup and --locking: type at
# the start of the description, ^O Enter to write, ^X to leave.
put_seen() { [ "$(writes_sent)" != "" ]; }
t_nano_saves_with_one_put_and_keeps_its_backup_local() {
    begin
    local d="$P102/jobs/410" f="$P102/jobs/410/job.json" word line names
    word="NANO$(date +%N | cut -c1-4)"
    on_exit "rm -f '$d/job.json~' '$d/.job.json.swp'"
    cp "$f" "$TMP/orig.json"
    names=$(names_in "$d")
    line=$(grep -n '"description"' "$TMP/orig.json" | cut -d: -f1)
    # keys are sent once nano is ready for them: its lock file is there,
    # then the PUT came, then exit
    { retry_until 100 test -e "$d/.job.json.swp" || true
      sleep 0.5; printf '%s ' "$word"; sleep 0.3; printf '\017'; sleep 0.5; printf '\r'
      retry_until 100 put_seen || true
      sleep 0.3; printf '\030'
      retry_until 100 test ! -e "$d/.job.json.swp" || true; } |
        (cd "$d" && TERM=xterm timeout 30 script -qfec \
            "nano --ignorercfiles --backup --locking +$line,19 job.json" /dev/null >/dev/null)
    expect_edit "$TMP/orig.json" "$TMP/want.json" ".description = \"$word \" + .description"
    assert_writes "$R_PUT_JOB=1"
    assert_doc "$f" /webrobot/api/projects/id/102/jobs/410 "$TMP/want.json"
    cmp "$TMP/orig.json" "$d/job.json~"
    rm "$d/job.json~"
    assert_eq "$names" "$(names_in "$d")" "names after nano and rm of its backup"
    assert_writes "$R_PUT_JOB=1"
}

t_sed_i_is_one_put_of_the_edited_text() {
    begin
    local f="$P98/jobs/211/job.json" new="sed $(tag)" names
    cp "$f" "$TMP/orig.json"
    names=$(names_in "$P98/jobs/211")
    sed "s/\"description\": \"[^\"]*\"/\"description\": \"$new\"/" "$TMP/orig.json" >"$TMP/want.json"
    sed -i "s/\"description\": \"[^\"]*\"/\"description\": \"$new\"/" "$f"
    assert_writes "$R_PUT_JOB=1"
    assert_body PUT "$TMP/want.json"
    assert_eq "$names" "$(names_in "$P98/jobs/211")" "names after sed -i"
    assert_doc "$f" /webrobot/api/projects/id/98/jobs/211 "$TMP/want.json"
    # and on a table record
    emu_reset
    cp "$TBL/11.json" "$TMP/rec.json"
    sed 's/"currency": "[A-Z]*"/"currency": "CHF"/' "$TMP/rec.json" >"$TMP/rec.want"
    sed -i 's/"currency": "[A-Z]*"/"currency": "CHF"/' "$TBL/11.json"
    assert_writes "$R_RECORD_PUT=1"
    assert_body PUT "$TMP/rec.want"
    assert_doc "$TBL/11.json" /api/strapi-tables/products/11 "$TMP/rec.want"
}

t_python_tmp_file_and_os_replace_is_one_put() {
    begin
    local d="$P98" f="$P98/schedule.json" names zone
    zone="Etc/GMT-$(( $(date +%N | cut -c1-2 | sed 's/^0//') % 12 + 1 ))"
    cp "$f" "$TMP/orig.json"
    names=$(names_in "$d")
    expect_edit "$TMP/orig.json" "$TMP/want.json" ".timezone = \"$zone\""
    python3 - "$f" "$TMP/want.json" <<'EOF'
import os, sys
dst = sys.argv[1]
tmp = dst[:-len("schedule.json")] + "x.tmp"
with open(tmp, "wb") as f:
    f.write(open(sys.argv[2], "rb").read())
    f.flush()
    os.fsync(f.fileno())
os.replace(tmp, dst)
assert not os.path.exists(tmp)
EOF
    assert_writes "$R_PUT_SCHEDULE=1"
    assert_body PUT "$TMP/want.json"
    assert_eq "$names" "$(names_in "$d")" "names after os.replace"
    assert_doc "$f" /webrobot/api/projects/id/98/schedule "$TMP/want.json"
}

t_rsync_of_a_local_file_over_a_document_is_one_put() {
    begin
    local f="$P102/project.json" new="rsync $(tag)" names
    names=$(names_in "$P102")
    cp "$f" "$TMP/orig.json"
    expect_edit "$TMP/orig.json" "$TMP/project.json" ".description = \"$new\""
    rsync "$TMP/project.json" "$f"
    assert_writes "$R_PUT_PROJECT=1"
    assert_body PUT "$TMP/project.json"
    assert_eq "$names" "$(names_in "$P102")" "names after rsync (its temporary is gone)"
    assert_doc "$f" /webrobot/api/projects/id/102 "$TMP/project.json"
}

t_cp_p_and_rsync_a_exit_0_and_save_once() {
    begin
    local j="$P101/jobs/311/job.json" s="$P101/schedule.json" new="cp -p $(tag)"
    cp "$j" "$TMP/job.orig"
    expect_edit "$TMP/job.orig" "$TMP/job.json" ".description = \"$new\""
    touch -d '2001-02-03 04:05:06' "$TMP/job.json"
    chmod 600 "$TMP/job.json"
    cp -p "$TMP/job.json" "$j"
    assert_writes "$R_PUT_JOB=1"
    assert_body PUT "$TMP/job.json"
    assert_doc "$j" /webrobot/api/projects/id/101/jobs/311 "$TMP/job.json"

    cp "$s" "$TMP/sched.orig"
    expect_edit "$TMP/sched.orig" "$TMP/schedule.json" '.enabled = (.enabled | not)'
    touch -d '2001-02-03 04:05:06' "$TMP/schedule.json"
    rsync -a "$TMP/schedule.json" "$s"
    assert_writes "$R_PUT_JOB=1" "$R_PUT_SCHEDULE=1"
    assert_body PUT "$TMP/schedule.json"
    assert_doc "$s" /webrobot/api/projects/id/101/schedule "$TMP/schedule.json"

    # and out of the mount
    cp -p "$j" "$TMP/out.json"
    rsync -a "$P101/" "$TMP/tree/" --exclude jobs
    cmp "$j" "$TMP/out.json"
    cmp "$s" "$TMP/tree/schedule.json"
    assert_writes "$R_PUT_JOB=1" "$R_PUT_SCHEDULE=1"
}

t_chmod_chown_and_utimens_on_api_files_succeed_without_effect() {
    begin
    local f before
    for f in "$P98/project.json" "$TBL/4.json" "$P98/metrics.json" "$MNT/datasets/12.json" \
             "$P98/jobs/210/execute"; do
        before=$(stat -c '%a %u %g %Y' "$f")
        python3 - "$f" <<'EOF'
import os, sys
f = sys.argv[1]
os.chmod(f, 0o600)
os.chown(f, os.getuid(), os.getgid())
os.utime(f, (981173106, 981173106))
os.utime(f)
EOF
        assert_eq "$before" "$(stat -c '%a %u %g %Y' "$f")" "mode, owner and mtime of $f"
        chmod 600 "$f"
        chown "$(id -u):$(id -g)" "$f"
        touch -d '2001-02-03 04:05:06' "$f"
        touch "$f"
        assert_eq "${before% *}" "$(stat -c '%a %u %g' "$f")" "mode and owner of $f"
    done
    assert_writes
}

# --- scratch files -------------------------------------------------------------

t_scratch_files_stay_in_memory_and_vanish_when_removed() {
    begin
    local d names
    for d in "$P98" "$P98/jobs/212" "$TBL"; do
        on_exit "rm -f '$d/notes.txt' '$d/moved.txt'"
        names=$(names_in "$d")
        printf 'hello\nscratch\n' >"$d/notes.txt"
        printf 'more\n' >>"$d/notes.txt"
        assert_eq "$(printf 'hello\nscratch\nmore')" "$(cat "$d/notes.txt")" "scratch content in $d"
        assert_eq 19 "$(stat -c %s "$d/notes.txt")" "scratch size"
        chmod 600 "$d/notes.txt"
        assert_eq 600 "$(stat -c %a "$d/notes.txt")" "scratch mode"
        ls "$d" | grep -qx notes.txt
        mv "$d/notes.txt" "$d/moved.txt"
        assert_eq "$(printf 'hello\nscratch\nmore')" "$(cat "$d/moved.txt")" "renamed scratch"
        truncate -s 5 "$d/moved.txt"
        assert_eq hello "$(cat "$d/moved.txt")" "truncated scratch"
        rm "$d/moved.txt"
        assert_fails_with "No such file or directory" cat "$d/moved.txt"
        assert_fails_with "No such file or directory" cat "$d/notes.txt"
        assert_eq "$names" "$(names_in "$d")" "names after removing the scratch files"
    done
    assert_writes
}

t_renaming_a_scratch_file_over_a_document_is_one_put_of_its_bytes() {
    begin
    local f="$P98/project.json" new="renamed scratch $(tag)" names id
    names=$(names_in "$P98")
    cp "$f" "$TMP/orig.json"
    expect_edit "$TMP/orig.json" "$TMP/want.json" ".description = \"$new\""
    cp "$TMP/want.json" "$P98/draft"
    assert_writes
    mv "$P98/draft" "$f"
    assert_writes "$R_PUT_PROJECT=1"
    assert_body PUT "$TMP/want.json"
    assert_eq "$names" "$(names_in "$P98")" "names after the rename"
    assert_doc "$f" /webrobot/api/projects/id/98 "$TMP/want.json"
    # over a record name that does not exist yet: one POST
    local name="renamed-$(tag)"
    on_exit "for i in \$(record_id_named products '$name'); do delete_record products \$i; done"
    printf '{"name": "%s", "price": 3.5}\n' "$name" >"$TMP/rec.json"
    cp "$TMP/rec.json" "$TBL/rec.draft"
    mv "$TBL/rec.draft" "$TBL/$name.json"
    assert_writes "$R_PUT_PROJECT=1" "$R_RECORD_POST=1"
    assert_body POST "$TMP/rec.json"
    id=$(record_id_named products "$name")
    assert_eq 1 "$(echo "$id" | wc -w)" "records created"
    ls "$TBL" | grep -qx "$id.json"
    [ ! -e "$TBL/rec.draft" ]
}

t_renaming_an_invalid_scratch_file_over_a_document_fails_and_keeps_both() {
    begin
    local f="$P101/project.json"
    on_exit "rm -f '$P101/bad.tmp'"
    cp "$f" "$TMP/before"
    printf '{"description": "half' >"$P101/bad.tmp"
    python3 - "$P101/bad.tmp" "$f" <<'EOF'
import errno, os, sys
try:
    os.rename(sys.argv[1], sys.argv[2])
    sys.exit("renaming invalid JSON over a document succeeded")
except OSError as e:
    assert e.errno == errno.EINVAL, e
EOF
    if mv "$P101/bad.tmp" "$f" 2>/dev/null; then log "FAIL: mv succeeded"; return 1; fi
    assert_writes
    cmp "$TMP/before" "$f"
    assert_eq '{"description": "half' "$(cat "$P101/bad.tmp")" "the scratch file is kept"
}

t_renaming_a_document_aside_copies_it_and_sends_nothing() {
    begin
    local f="$P102/schedule.json"
    on_exit "rm -f '$P102/schedule.json.bak'"
    cp "$f" "$TMP/before"
    mv "$f" "$P102/schedule.json.bak"
    cmp "$TMP/before" "$P102/schedule.json.bak"
    cmp "$TMP/before" "$f"      # the API still has it
    rm "$P102/schedule.json.bak"
    assert_fails_with "Permission denied" rm "$f"
    assert_fails_with "Permission denied" mv "$f" "$P102/project.json"
    # a scratch file cannot replace a read-only or write-only file
    on_exit "rm -f '$P102/m.tmp'"
    echo '{}' >"$P102/m.tmp"
    assert_fails_with "Permission denied" mv "$P102/m.tmp" "$P102/metrics.json"
    assert_fails_with "Permission denied" mv "$P102/m.tmp" "$P102/jobs/410/execute"
    assert_eq '{}' "$(cat "$P102/m.tmp")" "the scratch file after refused renames"
    assert_writes
}

# --- Strapi tables ---------------------------------------------------------------

t_ls_table_lists_every_record_across_pages() {
    begin
    remount     # a cold cache: every page is fetched
    emu_reset
    ls "$TBL" | sort >"$TMP/mount"
    local pages
    pages=$(emu_count "$R_TABLE_PAGE")
    api "/api/strapi-tables/products?page=0&pageSize=500" | jq -r '.data[].id | "\(.).json"' |
        sort >"$TMP/api"
    local n
    n=$(wc -l <"$TMP/api")
    assert_ge 101 "$n" "records in products (over two pages)"
    assert_le 150 "$n" "records in products (at most three pages)"
    assert_eq "$(cat "$TMP/api")" "$(cat "$TMP/mount")" "ls tables/products"
    assert_eq 3 "$pages" "page requests for the listing"
    assert_writes
}

t_a_record_missing_from_the_cached_listing_opens_by_id() {
    begin
    local id name="direct-$(tag)"
    remount                 # a fresh listing, cached for list_ttl (5 s) from now
    ls "$TBL" >/dev/null
    id=$(api /api/strapi-tables/products -X POST -H 'Content-Type: application/json' \
        -d "{\"name\": \"$name\", \"price\": 1}" | jq -r .id)
    on_exit "delete_record products '$id'"
    if ls "$TBL" | grep -qx "$id.json"; then
        log "FAIL: the cached listing already shows $id.json: the test proves nothing"
        return 1
    fi
    api "/api/strapi-tables/products/$id" >"$TMP/api.json"
    assert_eq "$(jq -S . "$TMP/api.json")" "$(jq -S . "$TBL/$id.json")" "record $id by id"
}

t_rm_of_a_record_is_one_delete() {
    begin
    local id
    id=$(api /api/strapi-tables/products -X POST -H 'Content-Type: application/json' \
        -d '{"name": "to be removed", "price": 2}' | jq -r .id)
    on_exit "delete_record products '$id'"
    emu_reset
    cat "$TBL/$id.json" >/dev/null
    rm "$TBL/$id.json"
    assert_writes "$R_RECORD_DELETE=1"
    assert_eq 404 "$(api "/api/strapi-tables/products/$id" -o /dev/null -w '%{http_code}')" "GET after rm"
    assert_fails_with "No such file or directory" cat "$TBL/$id.json"
    if ls "$TBL" | grep -qx "$id.json"; then log "FAIL: $id.json still listed"; return 1; fi
}

t_new_record_written_is_one_post_then_listed_by_its_new_id() {
    begin
    local name="new-$(tag)" id
    on_exit "for i in \$(record_id_named products '$name'); do delete_record products \$i; done"
    printf '{\n  "name": "%s",\n  "price": 42.5,\n  "currency": "EUR",\n  "sku": "WR-TEST"\n}\n' \
        "$name" >"$TMP/rec.json"
    ls "$TBL" >/dev/null
    cp "$TMP/rec.json" "$TBL/$name.json"
    assert_writes "$R_RECORD_POST=1"
    assert_body POST "$TMP/rec.json"
    id=$(record_id_named products "$name")
    assert_eq 1 "$(echo "$id" | wc -w)" "records created"
    ls "$TBL" >"$TMP/ls"
    grep -qx "$id.json" "$TMP/ls" || { log "FAIL: $id.json not listed"; return 1; }
    if grep -qx "$name.json" "$TMP/ls"; then log "FAIL: $name.json still listed"; return 1; fi
    assert_fails_with "No such file or directory" cat "$TBL/$name.json"
    jq -e --arg n "$name" '.name == $n and .price == 42.5 and .sku == "WR-TEST"' "$TBL/$id.json" >/dev/null
    # invalid JSON for a new record: nothing is created
    assert_fails_with "Invalid argument" sh -c "printf '{\"name\": ' | dd of='$TBL/broken-$$.json' status=none"
    assert_writes "$R_RECORD_POST=1"
}

t_vim_creates_a_new_record_with_one_post() {
    begin
    local name="vim-new-$(tag)" id
    on_exit "for i in \$(record_id_named products '$name'); do delete_record products \$i; done"
    (cd "$TBL" && timeout 30 vim -es -u DEFAULTS -i NONE --cmd 'set backupskip=' \
        -c "call setline(1, '{\"name\": \"$name\", \"price\": 7}')" -c wq "$name.json" </dev/null)
    assert_writes "$R_RECORD_POST=1"
    printf '{"name": "%s", "price": 7}\n' "$name" >"$TMP/sent"
    assert_body POST "$TMP/sent"
    id=$(record_id_named products "$name")
    assert_eq 1 "$(echo "$id" | wc -w)" "records created"
    ls -A "$TBL" >"$TMP/ls"
    grep -qx "$id.json" "$TMP/ls" || { log "FAIL: $id.json not listed"; return 1; }
    assert_eq "" "$(grep -v '^[0-9]*\.json$' "$TMP/ls" | paste -sd' ')" "other names left in the table"
}

# fsync then more writes then close, on a new record: one record, holding
# the final text (the second save must not POST a second record).
t_new_record_fsynced_then_closed_is_created_once() {
    begin
    local name="fsync-new-$(tag)" ids
    on_exit "for i in \$(record_id_named products '$name'); do delete_record products \$i; done"
    python3 - "$TBL/$name.json" "$name" <<'EOF'
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b'{"name": "%s", "price": 1}\n' % sys.argv[2].encode())
os.fsync(fd)
os.ftruncate(fd, 0)
os.pwrite(fd, b'{"name": "%s", "price": 2}\n' % sys.argv[2].encode(), 0)
os.close(fd)
EOF
    ids=$(record_id_named products "$name")
    assert_eq 1 "$(echo "$ids" | wc -w)" "records created by one file (ids: $ids)"
    assert_eq 1 "$(emu_count "$R_RECORD_POST")" "POSTs"
    assert_eq 2 "$(api "/api/strapi-tables/products/$ids" | jq .price)" "price of the record"
}

t_table_outside_the_tables_option_is_looked_up_then_listed() {
    begin
    remount
    assert_eq products "$(ls "$MNT/tables" | paste -sd' ')" "ls tables before the lookup"
    ls "$MNT/tables/competitors" | sort >"$TMP/mount"
    api "/api/strapi-tables/competitors" | jq -r '.data[].id | "\(.).json"' | sort >"$TMP/api"
    assert_eq 5 "$(wc -l <"$TMP/api")" "competitors in the emulator"
    assert_eq "$(cat "$TMP/api")" "$(cat "$TMP/mount")" "ls tables/competitors"
    assert_eq "competitors products" "$(ls "$MNT/tables" | sort | paste -sd' ')" "ls tables after the lookup"
    jq -e '.name == "ShopNova"' "$MNT/tables/competitors/1.json" >/dev/null
    assert_fails_with "No such file or directory" ls "$MNT/tables/no-such-table"
    assert_writes
}

# --- tasks, metrics and the read-only trees ---------------------------------------

t_task_start_and_stop_post_once_and_busy_is_ebusy() {
    begin
    local t="$P98/jobs/210/tasks"
    assert_eq "7001 7002" "$(ls "$t" | sort | paste -sd' ')" "tasks of job 210"
    assert_eq "metrics.json start status stop task.json" "$(ls "$t/7002" | paste -sd' ')" "task files"
    assert_eq PENDING "$(cat "$t/7002/status")" "7002 before start"
    echo >"$t/7002/start"
    assert_writes "$R_TASK_START=1"
    assert_eq RUNNING "$(cat "$t/7002/status")" "7002 after start"
    jq -e '.executionStatus == "RUNNING"' "$t/7002/task.json" >/dev/null
    assert_fails_with "Device or resource busy" bash -c "echo > '$t/7002/start'"
    assert_writes "$R_TASK_START=2"
    echo >"$t/7002/stop"
    assert_writes "$R_TASK_START=2" "$R_TASK_STOP=1"
    [ "$(cat "$t/7002/status")" != RUNNING ]
    assert_eq COMPLETED "$(cat "$t/7001/status")" "7001"
    assert_fails_with "Device or resource busy" bash -c "echo > '$t/7001/stop'"
    assert_fails_with "Permission denied" cat "$t/7001/start"
    assert_fails_with "Permission denied" sh -c "echo x > '$t/7001/status'"
    assert_fails_with "Permission denied" sh -c "echo '{}' > '$t/7001/task.json'"
    assert_fails_with "No such file or directory" bash -c "echo > '$t/7999/start'"
    jq -e '.taskId == "7001"' "$t/7001/metrics.json" >/dev/null
    assert_writes "$R_TASK_START=2" "$R_TASK_STOP=2"
}

t_metrics_give_content_and_refuse_writes() {
    begin
    jq -e '.projectId == "98"' "$P98/metrics.json" >/dev/null
    jq -e '.jobId == "210"' "$P98/jobs/210/metrics.json" >/dev/null
    assert_fails_with "Permission denied" sh -c "echo '{}' > '$P98/metrics.json'"
    assert_fails_with "Permission denied" sh -c "echo '{}' > '$P98/jobs/210/metrics.json'"
    assert_fails_with "Permission denied" truncate -s 0 "$P98/metrics.json"
    assert_fails_with "Permission denied" sh -c "echo x > '$P98/jobs/210/status'"
    assert_writes
}

t_read_only_trees_give_content_and_refuse_writes() {
    begin
    local f path
    for path in datasets:/webrobot/api/datasets agents:/webrobot/api/agents \
                categories:/webrobot/api/categories; do
        f=${path%%:*}
        assert_eq "$(api "${path#*:}" | jq -r '.[].id | "\(.).json"' | sort | paste -sd' ')" \
            "$(ls "$MNT/$f" | sort | paste -sd' ')" "ls $f"
    done
    assert_eq "$(api /webrobot/api/datasets/12 | jq -S .)" "$(jq -S . "$MNT/datasets/12.json")" "datasets/12.json"
    assert_eq "$(api /webrobot/api/agents/5 | jq -S .)" "$(jq -S . "$MNT/agents/5.json")" "agents/5.json"
    assert_eq "$(api /webrobot/api/categories/id/1 | jq -S .)" "$(jq -S . "$MNT/categories/1.json")" "categories/1.json"
    assert_eq "$(api /webrobot/cloud/spark/info | jq -S .)" "$(jq -S . "$MNT/cloud/spark/info.json")" "spark/info.json"
    jq -e . "$MNT/cloud/spark/health.json" "$MNT/cloud/spark/capabilities.json" \
        "$MNT/cloud/training/info.json" "$MNT/cloud/training/health.json" >/dev/null
    ls "$MNT/cloud/scheduler/cronjobs" >"$TMP/cron"
    assert_ge 1 "$(wc -l <"$TMP/cron")" "cronjobs"
    jq -e . "$MNT/cloud/scheduler/cronjobs/$(head -1 "$TMP/cron")" >/dev/null
    grep -q 'example.com' "$MNT/html/https/example.com/index.html"
    for f in datasets/12.json agents/5.json categories/1.json cloud/spark/info.json \
             cloud/training/health.json "cloud/scheduler/cronjobs/$(head -1 "$TMP/cron")" \
             html/https/example.com/index.html health; do
        assert_fails_with "Permission denied" sh -c "echo '{}' > '$MNT/$f'"
        assert_fails_with "Permission denied" sh -c "echo '{}' >> '$MNT/$f'"
        assert_fails_with "Permission denied" truncate -s 0 "$MNT/$f"
    done
    assert_fails_with "Permission denied" rm "$MNT/datasets/12.json"
    assert_fails_with "Permission denied" mv "$MNT/agents/5.json" "$MNT/agents/6.json"
    assert_fails_with "Permission denied" touch "$MNT/datasets/new.json"
    assert_fails_with "Permission denied" cp /etc/hostname "$MNT/cloud/spark/notes"
    assert_fails_with "Permission denied" mkdir "$MNT/datasets/dir"
    echo '{}' >"$TMP/x.json"
    assert_fails_with "Permission denied" mv "$TMP/x.json" "$MNT/datasets/12.json"
    assert_writes
}

start_emu
start_proxy
mount_writes
run_tests
