#!/bin/sh
# Runs every test suite and ends with one line totalling them all:
# "N passed, N failed". Exits non-zero when anything failed.
#   cmocka unit binaries   $BUILD/tests/test_*
#   engine purity          the engine's objects use no I/O, clock or curses
#   end-to-end suites      tests/e2e/*.sh (each ends with "N passed, N failed")
set -u
BUILD=${BUILD:-build}
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

for t in "$BUILD"/tests/test_*; do
	case "$t" in *.d) continue ;; esac
	[ -x "$t" ] || continue
	name=$(basename "$t")
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
	tally "$name" $((run - rc)) "$rc"
done

sh tests/engine-purity.sh "${ENGINE_OBJS:-$BUILD/obj/plan.o $BUILD/obj/session.o}" >"$log/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || cat "$log/out"
if [ "$rc" -eq 0 ]; then tally engine-purity 1 0; else tally engine-purity 0 1; fi

for s in tests/e2e/*.sh; do
	[ -f "$s" ] || continue
	case "$s" in */lib.sh) continue ;; esac
	name=$(basename "$s" .sh)
	sh "$s" >"$log/out" 2>&1
	rc=$?
	line=$(tail -n 1 "$log/out")
	p=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$line" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		cat "$log/out"
		tally "$name" 0 1
		continue
	fi
	if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
		grep -E '^(not ok|#)' "$log/out" | head -n 60
		[ "$f" -ne 0 ] || f=1
	fi
	tally "$name" "$p" "$f"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
