# webrobotfs build, test and demo entry points.
# `make check` and `make demo` install missing Debian packages first (as root).

CC      ?= cc
BUILD   ?= build
PKGS    := fuse3 libcurl libcjson
CFLAGS  ?= -O2 -g
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-declarations \
           -Wwrite-strings -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -Isrc
SAN     ?=
ALL_CFLAGS = $(CFLAGS) $(WARN) $(SAN) -std=c11 -pthread

FS_CFLAGS  = $(shell pkg-config --cflags fuse3 libcurl libcjson 2>/dev/null)
FS_LIBS    = $(shell pkg-config --libs fuse3 libcurl libcjson 2>/dev/null)
EMU_CFLAGS = $(shell pkg-config --cflags libmicrohttpd libcjson 2>/dev/null)
EMU_LIBS   = $(shell pkg-config --libs libmicrohttpd libcjson 2>/dev/null)

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
EMU_SRC  := $(wildcard src/emu/*.c)
EMU_OBJ  := $(EMU_SRC:src/emu/%.c=$(BUILD)/obj/emu/%.o)
UNIT_SRC := $(wildcard tests/unit/*.c)

DEB_PACKAGES := build-essential pkg-config libfuse3-dev fuse3 libcurl4-openssl-dev \
                libcjson-dev uthash-dev libcriterion-dev libmicrohttpd-dev \
                curl jq procps psmisc python3 vim nano rsync valgrind \
                clang libclang-rt-dev

PREFIX  ?= /usr/local

FUZZ_SECONDS ?= 10

.PHONY: all deps check unit integration asan fuzz demo bench install clean
all: $(BUILD)/webrobotfs $(BUILD)/webrobot-emu

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(FS_CFLAGS) -c -o $@ $<

$(BUILD)/obj/emu/%.o: src/emu/%.c $(wildcard src/emu/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(EMU_CFLAGS) -c -o $@ $<

$(BUILD)/libwebrobotfs.a: $(LIB_OBJ)
	ar rcs $@ $^

$(BUILD)/webrobotfs: src/main.c $(BUILD)/libwebrobotfs.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(FS_CFLAGS) -o $@ $< $(BUILD)/libwebrobotfs.a $(FS_LIBS)

$(BUILD)/webrobot-emu: $(EMU_OBJ) $(BUILD)/obj/xalloc.o
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(EMU_LIBS) -lm

$(BUILD)/unit-tests: $(UNIT_SRC) $(BUILD)/libwebrobotfs.a
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(FS_CFLAGS) -o $@ $(UNIT_SRC) \
	    $(BUILD)/libwebrobotfs.a $(FS_LIBS) -lcriterion

# Installs what is missing; prints the command instead when not root.
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all installed"; \
	elif [ "$$(id -u)" = 0 ]; then \
	    echo "deps: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else echo "deps: missing packages; run: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; fi

unit: $(BUILD)/unit-tests
	$(BUILD)/unit-tests --jobs 2

integration: all
	BUILD=$(BUILD) tests/integration/run.sh

check: deps
	$(MAKE) all $(BUILD)/unit-tests
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) asan
	$(MAKE) fuzz FUZZ_SECONDS=5

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	@# -Wno-format-truncation: GCC 12 reports false "null format string" under UBSan
	$(MAKE) BUILD=build-asan SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -Wno-format-truncation" \
	    CFLAGS="-O1 -g" all build-asan/unit-tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    build-asan/unit-tests --jobs 2
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    BUILD=build-asan tests/integration/run.sh

# libFuzzer targets (tests/fuzz, clang + ASan/UBSan): replays
# tests/fuzz/regressions, then fuzzes each target FUZZ_SECONDS seconds.
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) BUILD=$(BUILD) tests/fuzz/run.sh

$(BUILD)/bench-%: tests/bench/%.c
	$(CC) $(ALL_CFLAGS) $(FS_CFLAGS) -o $@ $< $(FS_LIBS)

# Speed and memory ratios against baselines measured in the same run.
bench: all $(BUILD)/bench-trivialfs $(BUILD)/bench-openloop
	BUILD=$(BUILD) tests/bench/bench.sh

demo: deps
	$(MAKE) all
	BUILD=$(BUILD) contrib/demo.sh

install: all
	install -D -m 755 $(BUILD)/webrobotfs $(DESTDIR)$(PREFIX)/bin/webrobotfs
	install -D -m 755 $(BUILD)/webrobot-emu $(DESTDIR)$(PREFIX)/bin/webrobot-emu
	install -D -m 644 docs/webrobotfs.1 $(DESTDIR)$(PREFIX)/share/man/man1/webrobotfs.1

clean:
	rm -rf build build-asan
