#!/bin/sh
# Runs every test suite and ends with one line totalling them all:
# "N passed, N failed". Exits non-zero when anything failed.
# SUITES names the passes (default "normal"):
#   normal    cmocka unit binaries   $BUILD/tests/test_*
#             engine purity          the engine's objects use no I/O, clock or curses
#             end-to-end suites      tests/e2e/*.sh (each ends with "N passed, N failed")
#   sanitize  the unit binaries and end-to-end suites again, against the
#             ASan+UBSan build in build/san (lines prefixed "san/"), then a
#             check that no sanitizer report was written, even from a run
#             inside tmux whose stderr nobody sees
#   valgrind  tests/valgrind.sh: CLI cases under memcheck
#   fuzz      tests/fuzz/run.sh: each fuzz target for FUZZ_SECONDS
set -u
BUILD=${BUILD:-build}
SAN_BUILD=build/san
SUITES=${SUITES:-normal}
export BUILD
passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

tally() { # name, passed, failed
	printf '%-28s %4d passed, %d failed\n' "$1" "$2" "$3"
	passed=$((passed + $2))
	failed=$((failed + $3))
}

# unit_suites DIR PREFIX: every cmocka binary in DIR.
unit_suites() {
	for t in "$1"/test_*; do
		case "$t" in *.d) continue ;; esac
		[ -x "$t" ] || continue
		name=$2$(basename "$t")
		"$t" >"$log/out" 2>"$log/err"
		rc=$?
		run=$(sed -n 's/^\[==========\] \([0-9]*\) test(s) run\./\1/p' "$log/out" | tail -n 1)
		if [ -z "$run" ]; then
			# The binary died before cmocka could report: count it as one failure.
			cat "$log/out" "$log/err"
			tally "$name" 0 1
			continue
		fi
		if [ "$rc" -ne 0 ]; then
			grep -E '^\[  (FAILED|ERROR) +\]|Failure!|error:' "$log/out" "$log/err" | head -n 40
		fi
		if [ "$rc" -gt "$run" ]; then
			# Every test ran, then the binary failed on its way out (a
			# leak report, an abort): one failure more.
			cat "$log/err" | head -n 40
			tally "$name" "$run" 1
			continue
		fi
		tally "$name" $((run - rc)) "$rc"
	done
}

# script_suite NAME SCRIPT: a shell suite whose last line is "N passed, N failed".
script_suite() {
	sh "$2" >"$log/out" 2>&1
	rc=$?
	line=$(tail -n 1 "$log/out")
	p=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		cat "$log/out"
		tally "$1" 0 1
		return
	fi
	if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
		grep -E '^(not ok|#)' "$log/out" | head -n 60
		[ "$f" -ne 0 ] || f=1
	fi
	tally "$1" "$p" "$f"
}

# e2e_suites PREFIX: every end-to-end suite.
e2e_suites() {
	for s in tests/e2e/*.sh; do
		[ -f "$s" ] || continue
		case "$s" in */lib.sh) continue ;; esac
		script_suite "$1$(basename "$s" .sh)" "$s"
	done
}

normal_pass() {
	unit_suites "$BUILD/tests" ""
	sh tests/engine-purity.sh "${ENGINE_OBJS:-$BUILD/obj/plan.o $BUILD/obj/session.o}" >"$log/out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] || cat "$log/out"
	if [ "$rc" -eq 0 ]; then tally engine-purity 1 0; else tally engine-purity 0 1; fi
	e2e_suites ""
}

# The same suites against build/san. Reports go to files as well as making
# the process fail (abort_on_error), so that a report from a session inside
# tmux, whose stderr nobody sees, still fails the pass. engine-purity
# inspects object files, not behaviour: it has nothing to add here. LSan
# suppressions (tests/lsan.supp) cover only what ncurses keeps by design;
# its memory at exit is still reachable, which LSan does not report.
sanitize_pass() {
	reports=$log/san-reports
	mkdir -p "$reports"
	(
		ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$reports/asan
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$reports/ubsan
		LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
		BUILD=$SAN_BUILD WARMUP=$PWD/$SAN_BUILD/warmup WARMUP_SANITIZED=1
		export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS BUILD WARMUP WARMUP_SANITIZED
		unit_suites "$SAN_BUILD/tests" "san/"
		e2e_suites "san/"
		echo "$passed $failed" >"$log/san-tally"
	)
	read -r passed failed <"$log/san-tally"
	if [ -n "$(ls "$reports")" ]; then
		for r in "$reports"/*; do
			echo "--- $r"
			head -n 40 "$r"
		done
		tally san/reports 0 1
	else
		tally san/reports 1 0
	fi
}

for pass in $SUITES; do
	case "$pass" in
	normal) normal_pass ;;
	sanitize) sanitize_pass ;;
	valgrind) script_suite valgrind tests/valgrind.sh ;;
	fuzz) script_suite fuzz tests/fuzz/run.sh ;;
	*) echo "run-suites: unknown pass '$pass'" >&2; tally "$pass" 0 1 ;;
	esac
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
