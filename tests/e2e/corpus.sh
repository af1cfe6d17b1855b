# The routine corpus through the real binary. Each bad file starts with
#   # expect: LINE:COLUMN WORD
# and must exit 65 with "FILE:LINE:COLUMN: error: ..." naming WORD on that
# line; each good file must exit 0 with "FILE: ok (N drills, total M:SS)".
. tests/e2e/lib.sh

n_bad=0
for f in tests/routines/bad/*.yaml; do
	n_bad=$((n_bad + 1))
	header=$(head -n 1 "$f")
	pos=$(printf '%s\n' "$header" | sed -n 's/^# expect: \([0-9]*:[0-9]*\) .*/\1/p')
	word=$(printf '%s\n' "$header" | sed -n 's/^# expect: [0-9]*:[0-9]* \(.*\)$/\1/p')
	if [ -z "$pos" ] || [ -z "$word" ]; then
		fail "$f has a '# expect: LINE:COLUMN WORD' header" "first line: $header"
		continue
	fi
	expect_exit "$f exits 65" 65 "$WARMUP" validate "$f"
	if grep -F -- "$f:$pos: error: " "$TMP/err" | grep -qF -- "$word"; then
		ok "$f reports $pos with '$word'"
	else
		fail "$f reports $pos with '$word'" "stderr: $(head -c 1500 "$TMP/err")"
	fi
	# Every line on stderr is a located error: nothing else leaks out.
	if grep -qvE "^$f:[0-9]+:[0-9]+: error: " "$TMP/err"; then
		fail "$f prints only FILE:LINE:COLUMN errors" "stderr: $(head -c 1500 "$TMP/err")"
	else
		ok "$f prints only FILE:LINE:COLUMN errors"
	fi
done
check "the bad corpus has at least 30 files" test "$n_bad" -ge 30

for f in tests/routines/good/*.yaml; do
	expect_exit "$f exits 0" 0 "$WARMUP" validate "$f"
	if grep -qE "^$f: ok \([0-9]+ drills?, total ([0-9]+:)?[0-9]+:[0-5][0-9]\)$" "$TMP/out"; then
		ok "$f prints its ok line"
	else
		fail "$f prints its ok line" "stdout: $(head -c 500 "$TMP/out")"
	fi
done

# Several files at once: every one is reported, and the exit status is 65.
expect_exit "good and bad together exit 65" 65 "$WARMUP" validate \
	tests/routines/good/minimal.yaml tests/routines/bad/missing-name.yaml
check "the good one is still ok" grep -q "minimal.yaml: ok" "$TMP/out"
check "the bad one is reported" grep -q "missing-name.yaml:2:1: error: " "$TMP/err"

# Files the corpus cannot hold: special files and one over 1 MiB.
expect_exit "a directory is refused" 65 "$WARMUP" validate tests/routines/good
check "a directory is named as such" grep -q "directory" "$TMP/err"
mkfifo "$TMP/fifo"
expect_exit "a FIFO is refused without blocking" 65 "$WARMUP" validate "$TMP/fifo"
check "a FIFO is named as such" grep -q "FIFO" "$TMP/err"
{ echo "name: big"; head -c 1100000 /dev/zero | tr '\0' '#'; echo; } >"$TMP/big.yaml"
expect_exit "a file over 1 MiB is refused" 65 "$WARMUP" validate "$TMP/big.yaml"
check "the size limit is named" grep -q "larger than 1 MiB" "$TMP/err"

done_testing
