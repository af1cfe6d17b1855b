# Shared helpers for end-to-end suites. Source it; call ok/fail per check and
# finish with `done_testing`, which prints "N passed, N failed" last.
BUILD=${BUILD:-build}
WARMUP=${WARMUP:-$PWD/$BUILD/warmup}
ROOT=$PWD
_pass=0
_fail=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# Never touch the user's own config, history or routines.
export XDG_CONFIG_HOME="$TMP/config" XDG_STATE_HOME="$TMP/state" HOME="$TMP/home"
unset WARMUP_PATH
mkdir -p "$HOME"

ok() { _pass=$((_pass + 1)); echo "ok - $1"; }
fail() { _fail=$((_fail + 1)); echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# check NAME COMMAND...: passes when the command succeeds.
check() {
	name=$1; shift
	if "$@" >"$TMP/check.out" 2>&1; then ok "$name"; else fail "$name" "$(head -c 2000 "$TMP/check.out")"; fi
}

# expect_exit NAME CODE COMMAND...: runs the command, output in $TMP/out and $TMP/err.
expect_exit() {
	name=$1 want=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$name"; else
		fail "$name" "exit $got, wanted $want" "stdout: $(head -c 1000 "$TMP/out")" "stderr: $(head -c 1000 "$TMP/err")"
	fi
}

done_testing() {
	echo "$_pass passed, $_fail failed"
	[ "$_fail" -eq 0 ]
}
