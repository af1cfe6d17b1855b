#!/bin/sh
# The command line under valgrind memcheck: zero errors and no definite or
# indirect leaks, on success and on every kind of failure. Each case is one
# test: the exit status must be the command's own (valgrind turns any
# error or leak into exit 1, which warmup itself never uses).
# tests/valgrind.supp would hold suppressions; none are needed so far.
. tests/e2e/lib.sh

if ! command -v valgrind >/dev/null 2>&1; then
	fail "valgrind is installed (make deps installs it)"
	done_testing
	exit 1
fi
SUPP=
[ -f tests/valgrind.supp ] && SUPP=--suppressions=tests/valgrind.supp

# vg NAME WANT ARGS...: warmup ARGS under memcheck must exit WANT.
vg() {
	name=$1 want=$2
	shift 2
	valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --track-fds=no $SUPP \
		--log-file="$TMP/vg.log" "$WARMUP" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
	got=$?
	if [ "$got" -eq "$want" ] && ! [ -s "$TMP/vg.log" ]; then
		ok "valgrind: $name"
	else
		fail "valgrind: $name" "exit $got, wanted $want" "$(head -c 3000 "$TMP/vg.log")" \
			"stderr: $(head -c 500 "$TMP/err")"
	fi
}

for f in routines/*.yaml tests/routines/good/*.yaml; do
	vg "validate $f" 0 validate "$f"
done
vg "validate the whole bad corpus at once" 65 validate tests/routines/bad/*.yaml
for f in alias-bomb anchor deep-nesting nul-byte invalid-utf8 syntax-error unclosed-quote \
         control-char-escape total-over-4h unknown-drill-key too-many-prompts; do
	vg "validate bad/$f" 65 validate "tests/routines/bad/$f.yaml"
done
vg "validate a missing file" 66 validate "$TMP/missing.yaml"
vg "validate a directory" 65 validate tests/routines
mkfifo "$TMP/fifo"
vg "validate a FIFO" 65 validate "$TMP/fifo"

P=routines/pre-run-full.yaml
vg "show" 0 show "$P"
vg "show --format json" 0 show --format json "$P"
vg "show --equipment ball --fit 3m" 0 show --equipment ball --fit 3m "$P"
vg "show an invalid routine" 65 show tests/routines/bad/missing-name.yaml
vg "show --format json of an invalid routine" 65 show --format json tests/routines/bad/nul-byte.yaml
vg "show --fit too short" 64 show --fit 5s "$P"
vg "run --headless --instant" 0 run --headless --instant "$P"
vg "run --format jsonl --instant" 0 run --format jsonl --instant "$P"
vg "run --instant with equipment and fit" 0 run --format jsonl --instant --equipment stick --fit 2m "$P"
vg "run an invalid routine" 65 run --headless --instant tests/routines/bad/alias-bomb.yaml
vg "run a missing routine" 66 run --headless --instant no-such-routine
vg "run with a bad option" 64 run --speed nope routines/quick.yaml

# A recorded session (fast, not instant: instant runs are never recorded),
# then the history in both formats.
vg "run --headless --speed 1000 records a session" 0 run --headless --speed 1000 routines/quick.yaml
vg "history" 0 history
vg "history --format jsonl --last 5" 0 history --format jsonl --last 5
printf '%s\n' '{"broken' 'not json at all' >>"$XDG_STATE_HOME/warmup/history.jsonl"
vg "history with damaged lines" 0 history
vg "list" 0 list
vg "help" 0 help
vg "--version" 0 --version

done_testing
