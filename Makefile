# warmup: a terminal warm-up session timer.
# Plain GNU make. Output goes under build/ (build/san/ with SANITIZE=1).

VERSION  := 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR   := $(PREFIX)/bin
DATADIR  := $(PREFIX)/share/warmup
MANDIR   := $(PREFIX)/share/man/man1
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions

CC       ?= cc
PKG_CONFIG ?= pkg-config
SANITIZE ?=

ifeq ($(SANITIZE),1)
BUILD    := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPTFLAGS := -O1 -g
else
BUILD    := build
SANFLAGS :=
OPTFLAGS := -O2 -g -D_FORTIFY_SOURCE=2
endif

WARNFLAGS := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Werror
HARDFLAGS := -fstack-protector-strong -fPIE
DEFS      := -D_POSIX_C_SOURCE=200809L -D_XOPEN_SOURCE=700 \
	-DWARMUP_VERSION='"$(VERSION)"' -DWARMUP_DATADIR='"$(DATADIR)"' \
	-DWARMUP_SRCDIR='"$(CURDIR)"'

LIBS_CFLAGS = $(filter-out -D%,$(shell $(PKG_CONFIG) --cflags libcyaml yaml-0.1 ncursesw jansson 2>/dev/null))
LIBS        = $(shell $(PKG_CONFIG) --libs libcyaml yaml-0.1 ncursesw jansson 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

CFLAGS   ?=
LDFLAGS  ?=
ALL_CFLAGS  = $(WARNFLAGS) $(OPTFLAGS) $(HARDFLAGS) $(SANFLAGS) $(DEFS) -Iinclude $(LIBS_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(SANFLAGS) $(LDFLAGS)

SRCS      := $(wildcard src/*.c)
OBJS      := $(SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_OBJS  := $(filter-out $(BUILD)/obj/main.o,$(OBJS))
ENGINE_OBJS := $(BUILD)/obj/plan.o $(BUILD)/obj/session.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# Debian packages the build and the tests need, and the commands that show
# each is there (a header or a program).
DEPS_PKGS := build-essential pkg-config libcyaml-dev libyaml-dev libncurses-dev \
	libcmocka-dev libjansson-dev tmux python3 python3-jsonschema python3-yaml valgrind groff-base jq tzdata bsdutils faketime \
	clang libclang-rt-dev time

.PHONY: all deps run check check-sanitize check-valgrind fuzz build-tests san-build install uninstall clean bench

all: $(BUILD)/warmup

$(BUILD)/warmup: $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(OBJS) $(LIBS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Each unit test links only the modules it names here (default: all but
# main), so the engine's tests prove it stands alone.
DEPS_test_duration := duration
DEPS_test_routine  := routine duration
DEPS_test_plan     := plan
DEPS_test_session  := plan session
DEPS_test_history  := history
DEPS_test_bigfont  := bigfont
DEPS_test_speech   := speech strbuf
DEPS_test_words    := words
test_objs = $(if $(DEPS_$(1)),$(patsubst %,$(BUILD)/obj/%.o,$(DEPS_$(1))),$(LIB_OBJS))

.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $$(call test_objs,$$*)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -o $@ $< $(call test_objs,$*) $(ALL_LDFLAGS) $(LIBS) $(CMOCKA_LIBS)

deps:
	@sh tests/deps.sh $(DEPS_PKGS)

# Benchmarks (docs/benchmarks.md): build/bench.md in under 10 minutes.
BENCH_PKGS := python3 tmux hyperfine tty-clock strace time
BENCH_RUNS ?= 3
BENCH_TIMING_SECONDS ?= 120
BENCH_FAST_SECONDS ?= 600
BENCH_FAST_SPEED ?= 10
BENCH_IDLE_SECONDS ?= 30
BENCH_STRACE_SECONDS ?= 10
BENCH_STARTUP_RUNS ?= 30
BENCH_SCALE_RUNS ?= 10
bench: $(BUILD)/warmup
	@sh tests/deps.sh $(BENCH_PKGS) || echo "bench: some tools are missing; their figures will say so"
	BENCH_RUNS=$(BENCH_RUNS) BENCH_TIMING_SECONDS=$(BENCH_TIMING_SECONDS) \
	BENCH_FAST_SECONDS=$(BENCH_FAST_SECONDS) BENCH_FAST_SPEED=$(BENCH_FAST_SPEED) \
	BENCH_IDLE_SECONDS=$(BENCH_IDLE_SECONDS) BENCH_STRACE_SECONDS=$(BENCH_STRACE_SECONDS) \
	BENCH_STARTUP_RUNS=$(BENCH_STARTUP_RUNS) BENCH_SCALE_RUNS=$(BENCH_SCALE_RUNS) \
	/usr/bin/python3 bench/bench.py $(BUILD)/warmup $(BUILD)/bench.md

run: $(BUILD)/warmup
	$(BUILD)/warmup run routines/pre-run.yaml

# libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang whatever CC is,
# each linking the sources it names here. Clang's -Wformat=2 also flags
# vsnprintf(fmt, va_list) in wrappers that GCC accepts; that one is off.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,%,$(filter-out tests/fuzz/fuzz_check.c,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS    := $(FUZZ_TARGETS:%=build/fuzz/%)
FUZZ_CFLAGS   = $(WARNFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wno-format-nonliteral $(DEFS) -Iinclude -Itests/fuzz $(LIBS_CFLAGS)
FUZZ_SRCS_fuzz_routine  := routine duration plan session strbuf
FUZZ_SRCS_fuzz_duration := duration
FUZZ_SRCS_fuzz_escape   := strbuf
fuzz_srcs = $(patsubst %,src/%.c,$(FUZZ_SRCS_$(1))) tests/fuzz/fuzz_check.c

build/fuzz/%: tests/fuzz/%.c $$(call fuzz_srcs,$$*) tests/fuzz/fuzz_check.h $(wildcard include/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(call fuzz_srcs,$*) $(shell $(PKG_CONFIG) --libs libcyaml yaml-0.1 2>/dev/null)

# What `make check` runs (tests/run-suites.sh names the suites): the normal
# build's unit and end-to-end suites; all of them again against build/san
# (ASan and UBSan); the valgrind cases; each fuzz target for FUZZ_SECONDS
# (0 skips fuzzing). With SANITIZE=1 it runs only the sanitizer pass.
ifeq ($(SANITIZE),1)
CHECK_SUITES := sanitize
CHECK_PREREQS := build-tests
else ifeq ($(FUZZ_SECONDS),0)
CHECK_SUITES := normal sanitize valgrind
CHECK_PREREQS := build-tests san-build
else
CHECK_SUITES := normal sanitize valgrind fuzz
CHECK_PREREQS := build-tests san-build $(FUZZ_BINS)
endif
RUN_SUITES = BUILD=$(BUILD) ENGINE_OBJS="$(ENGINE_OBJS)" FUZZ_SECONDS=$(FUZZ_SECONDS) \
	FUZZ_TARGETS="$(FUZZ_TARGETS)" sh tests/run-suites.sh

build-tests: $(BUILD)/warmup $(UNIT_BINS)

san-build:
	$(MAKE) SANITIZE=1 build-tests

# Every suite, then one line totalling them: "N passed, N failed".
check: $(CHECK_PREREQS)
	@SUITES="$(CHECK_SUITES)" $(RUN_SUITES)

check-sanitize:
	$(MAKE) SANITIZE=1 check

check-valgrind: build-tests
	@SUITES=valgrind $(RUN_SUITES)

fuzz: $(FUZZ_BINS)
	@SUITES=fuzz $(RUN_SUITES)

clean:
	rm -rf build

install: $(BUILD)/warmup
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/routines $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BUILD)/warmup $(DESTDIR)$(BINDIR)/warmup
	for f in routines/*.yaml; do \
		sed 's|$$schema=../docs/routine.schema.json|$$schema=../routine.schema.json|' $$f >$(DESTDIR)$(DATADIR)/routines/$${f##*/} && \
		chmod 644 $(DESTDIR)$(DATADIR)/routines/$${f##*/} || exit 1; \
	done
	install -m 644 docs/routine.schema.json $(DESTDIR)$(DATADIR)/routine.schema.json
	install -m 644 docs/warmup.1 $(DESTDIR)$(MANDIR)/warmup.1
	install -m 644 completions/warmup.bash $(DESTDIR)$(BASHCOMPDIR)/warmup

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/warmup $(DESTDIR)$(MANDIR)/warmup.1 $(DESTDIR)$(BASHCOMPDIR)/warmup
	rm -rf $(DESTDIR)$(DATADIR)

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
