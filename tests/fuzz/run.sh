#!/bin/bash
# Builds the libFuzzer targets of tests/fuzz into $BUILD/fuzz (clang, with
# ASan + UBSan, against the library sources each target needs, compiled with
# the same sanitizers), replays every saved crash in tests/fuzz/regressions,
# then fuzzes each target for FUZZ_SECONDS (default 10) seconds, all targets
# at once. Exits non-zero when a build fails, a regression input still
# crashes, or fuzzing finds a crash (saved in $BUILD/fuzz/crashes/).
#
# Environment: FUZZ_SECONDS (per target), FUZZ_TARGETS (subset, space
# separated), FUZZ_FLAGS (extra libFuzzer flags), FUZZ_CC (default clang),
# FUZZ_BUILD_ONLY=1 (build, run nothing), BUILD (default build).
# See tests/fuzz/README.md for long runs.
#
# shellcheck disable=SC2086,SC2046  # CFLAGS, object and pid lists split on purpose
set -u
cd "$(dirname "$0")/../.." || exit 1

BUILD=${BUILD:-build}
OUT=$BUILD/fuzz
HERE=tests/fuzz
SECS=${FUZZ_SECONDS:-10}
CC=${FUZZ_CC:-clang}
TARGETS=${FUZZ_TARGETS:-fuzz_route fuzz_names fuzz_render fuzz_execreq}

# Library sources each target links (none needs libfuse or libcurl).
sources_of() {
    case $1 in
    fuzz_route)   echo "route names buf xalloc" ;;
    fuzz_names)   echo "names buf xalloc" ;;
    fuzz_render)  echo "render buf xalloc" ;;
    fuzz_execreq) echo "execreq xalloc" ;;
    *) return 1 ;;
    esac
}
libs_of() {
    case $1 in
    fuzz_render)  echo "-lcjson -lm" ;;
    fuzz_execreq) echo "-lcjson" ;;
    *) echo "" ;;
    esac
}

passed=0
failed=0
summary() {
    echo "fuzz: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC not found; skipping (make deps installs clang and libclang-rt-dev)"
    summary
    exit 0
fi

CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="$CFLAGS -std=c11 -pthread -D_GNU_SOURCE -Isrc -I$HERE"
CFLAGS="$CFLAGS -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-declarations"
CFLAGS="$CFLAGS -Wwrite-strings -Wno-unused-parameter"

# True when $1 is missing or older than any of the other files.
stale() {
    local out=$1 f
    shift
    [ -e "$out" ] || return 0
    for f in "$@"; do
        [ "$f" -nt "$out" ] && return 0
    done
    return 1
}

build() {
    local t=$1 objs="" s o
    for s in $(sources_of "$t"); do
        o=$OUT/obj/$s.o
        if stale "$o" "src/$s.c" src/*.h "$HERE/run.sh"; then
            $CC $CFLAGS -fsanitize=fuzzer-no-link -c -o "$o" "src/$s.c" || return 1
        fi
        objs="$objs $o"
    done
    if stale "$OUT/$t" "$HERE/$t.c" "$HERE/fuzz.h" $objs src/*.h "$HERE/run.sh"; then
        $CC $CFLAGS -fsanitize=fuzzer -o "$OUT/$t" "$HERE/$t.c" $objs $(libs_of "$t") || {
            echo "fuzz: linking $t failed (is libclang-rt-dev (libFuzzer) installed?)" >&2
            return 1
        }
    fi
}

mkdir -p "$OUT/obj" "$OUT/crashes" "$OUT/logs"
for t in $TARGETS; do
    if ! sources_of "$t" >/dev/null; then
        echo "FAIL $t: unknown target"
        failed=$((failed + 1))
        continue
    fi
    build "$t" || { echo "FAIL $t: build failed"; failed=$((failed + 1)); }
done
[ "$failed" -eq 0 ] || { summary; exit 1; }
if [ "${FUZZ_BUILD_ONLY:-0}" = 1 ]; then
    echo "fuzz: built $TARGETS in $OUT"
    exit 0
fi

# Readable stack traces: llvm-symbolizer is not always on PATH.
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && ! command -v llvm-symbolizer >/dev/null 2>&1; then
    for s in /usr/lib/llvm-*/bin/llvm-symbolizer; do
        [ -x "$s" ] && export ASAN_SYMBOLIZER_PATH=$s
    done
fi
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# 1. Saved crashes, named <target>-<what>: each must run clean now.
for f in "$HERE"/regressions/*; do
    [ -f "$f" ] || continue
    name=${f##*/}
    t=${name%%-*}
    case " $TARGETS " in *" $t "*) ;; *) continue ;; esac
    log=$OUT/logs/regression-$name.log
    if "$OUT/$t" -runs=1 "$f" >"$log" 2>&1; then
        echo "PASS regression $name"
        passed=$((passed + 1))
    else
        echo "FAIL regression $name: still crashes $t (see $log)"
        grep -m1 -E 'property failed|ERROR: |runtime error' "$log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
done

# 2. Fuzz every target at once. New inputs go to $OUT/corpus/<target>, the
# checked-in seeds in tests/fuzz/corpus are only read.
pids=""
for t in $TARGETS; do
    mkdir -p "$OUT/corpus/$t"
    dict=""
    [ -f "$HERE/$t.dict" ] && dict="-dict=$HERE/$t.dict"
    "$OUT/$t" -max_total_time="$SECS" -print_final_stats=1 \
        -artifact_prefix="$OUT/crashes/$t-" $dict ${FUZZ_FLAGS:-} \
        "$OUT/corpus/$t" "$HERE/corpus/$t" >"$OUT/logs/$t.log" 2>&1 &
    pids="$pids $!"
done
set -- $pids
for t in $TARGETS; do
    pid=$1
    shift
    log=$OUT/logs/$t.log
    if wait "$pid"; then
        status=PASS
        passed=$((passed + 1))
    else
        status=FAIL
        failed=$((failed + 1))
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
    echo "$status $t: ${SECS}s, ${runs:-?} runs (${rate:-?}/s), ${cov:-no stats}"
    if [ "$status" = FAIL ]; then
        grep -m1 -E 'property failed|ERROR: |runtime error' "$log" | sed 's/^/    /'
        crash=$(sed -n 's/.*Test unit written to //p' "$log" | tail -1)
        echo "    input: ${crash:-none saved}; log: $log"
    fi
done
summary
