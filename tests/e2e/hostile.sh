# Hostile input: files built to crash, hang, exhaust or fool the loader.
# Each case must end cleanly (exit 65 with "FILE:LINE:COLUMN: error: ..."
# where there is a position, or exit 0 for the odd-but-valid ones), never
# write a raw control character (C0 other than tab and newline, DEL, C1) or
# invalid UTF-8 to stdout or stderr, finish within 1 s and stay under 50 MB
# of peak memory.
#
# Time: every run has a 5 s hang guard (timeout); on the normal build each
# is also checked against 1 s. The cases take a few milliseconds (the
# slowest, a 1 MiB routine shown and run, well under 100 ms), so the 1 s
# check has a wide margin; under the sanitizers only the hang guard applies.
# Memory: peak RSS from /usr/bin/time, on the normal build only (ASan's
# shadow memory says nothing about warmup's own use).
#
# Small cases live in tests/routines/hostile/, each starting with
#   # expect: 65 LINE:COLUMN WORD     or     # expect: 0
# Big and binary ones are made here, in $TMP.
. tests/e2e/lib.sh
export LC_ALL=C.UTF-8

SANITIZED=${WARMUP_SANITIZED:-}
LIMIT_MS=1000
LIMIT_KB=51200
slowest_ms=0 slowest= biggest_kb=0 biggest=

# clean FILE...: no raw control characters and valid UTF-8.
clean() {
	for _f in "$@"; do
		if LC_ALL=C grep -qaP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$_f"; then
			return 1
		fi
		iconv -f UTF-8 -t UTF-8 "$_f" >/dev/null 2>&1 || return 1
	done
}

# hostile NAME WANT ARGS...: runs warmup ARGS and checks exit, time, memory
# and clean output. Output in $TMP/out and $TMP/err.
hostile() {
	_name=$1 _want=$2
	shift 2
	rm -f "$TMP/time"
	_t0=$(date +%s%N)
	if [ -n "$SANITIZED" ]; then
		timeout 5 "$WARMUP" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
		_got=$?
	else
		timeout 5 /usr/bin/time -f '%M' -o "$TMP/time" "$WARMUP" "$@" >"$TMP/out" 2>"$TMP/err" </dev/null
		_got=$?
	fi
	_ms=$((($(date +%s%N) - _t0) / 1000000))
	if [ "$_got" -eq 124 ]; then
		fail "$_name: finishes (hang guard 5 s)" "killed after $_ms ms"
		return
	fi
	if [ "$_got" -eq "$_want" ]; then ok "$_name: exit $_want"; else
		fail "$_name: exit $_want" "exit $_got" "stdout: $(head -c 600 "$TMP/out")" \
			"stderr: $(head -c 600 "$TMP/err")"
	fi
	if clean "$TMP/out" "$TMP/err"; then ok "$_name: output clean"; else
		fail "$_name: output clean" "$(head -c 400 "$TMP/out" | od -c | head -n 8)" \
			"$(head -c 400 "$TMP/err" | od -c | head -n 8)"
	fi
	[ "$_ms" -gt "$slowest_ms" ] && slowest_ms=$_ms slowest=$_name
	[ -n "$SANITIZED" ] && return
	if [ "$_ms" -lt "$LIMIT_MS" ]; then ok "$_name: $_ms ms"; else
		fail "$_name: within 1 s" "took $_ms ms"
	fi
	_kb=$(tail -n 1 "$TMP/time" 2>/dev/null)
	case "$_kb" in ''|*[!0-9]*) fail "$_name: peak memory measured" "$(cat "$TMP/time" 2>/dev/null)"; return ;; esac
	[ "$_kb" -gt "$biggest_kb" ] && biggest_kb=$_kb biggest=$_name
	if [ "$_kb" -lt "$LIMIT_KB" ]; then ok "$_name: peak $_kb KB"; else
		fail "$_name: under 50 MB" "peak RSS $_kb KB"
	fi
}

# located FILE POS WORD: stderr has "FILE:POS: error: ...WORD...".
located() {
	if grep -F -- "$1:$2: error: " "$TMP/err" | grep -qF -- "$3"; then
		ok "$1: error at $2 naming '$3'"
	else
		fail "$1: error at $2 naming '$3'" "stderr: $(head -c 800 "$TMP/err")"
	fi
}

# unlocated FILE WORD: stderr has "FILE: error: ...WORD..." (no position exists).
unlocated() {
	if grep -F -- "$1: error: " "$TMP/err" | grep -qF -- "$2"; then
		ok "$1: error naming '$2'"
	else
		fail "$1: error naming '$2'" "stderr: $(head -c 800 "$TMP/err")"
	fi
}

# every_command NAME WANT FILE: validate, show (text and JSON) and an
# instant headless run in both formats, all held to the same rules.
every_command() {
	hostile "$1 validate" "$2" validate "$3"
	hostile "$1 show" "$2" show "$3"
	hostile "$1 show --format json" "$2" show --format json "$3"
	[ "$2" -ne 0 ] || check "$1 show --format json is JSON" jq -e . "$TMP/out"
	hostile "$1 run --headless --instant" "$2" run --headless --instant "$3"
	hostile "$1 run --format jsonl --instant" "$2" run --format jsonl --instant "$3"
	[ "$2" -ne 0 ] || check "$1 run --format jsonl is JSON Lines" jq -e . "$TMP/out"
}

# --- The committed cases ---
for f in tests/routines/hostile/*.yaml; do
	header=$(head -n 1 "$f")
	want=$(printf '%s\n' "$header" | sed -n 's/^# expect: \([0-9]*\).*/\1/p')
	if [ -z "$want" ]; then
		fail "$f has an '# expect:' header" "first line: $header"
		continue
	fi
	every_command "$f" "$want" "$f"
	if [ "$want" -ne 0 ]; then
		hostile "$f" 65 validate "$f"
		pos=$(printf '%s\n' "$header" | sed -n 's/^# expect: 65 \([0-9]*:[0-9]*\) .*/\1/p')
		word=$(printf '%s\n' "$header" | sed -n 's/^# expect: 65 [0-9]*:[0-9]* \(.*\)$/\1/p')
		located "$f" "$pos" "$word"
	fi
done

# --- Anchors and aliases: refused, whatever they hold ---
G=$TMP/g
mkdir -p "$G"
printf 'name: &n Calf\ndrills: [{name: *n, duration: 45s}]\n' >"$G/alias-name.yaml"
hostile "anchor on a scalar" 65 validate "$G/alias-name.yaml"
located "$G/alias-name.yaml" 1:7 "aliases and anchors are not supported"

# --- Nesting 10,000 levels deep, three ways ---
python3 -c "print('name: x\ndrills: ' + '[' * 10000 + ']' * 10000)" >"$G/deep-flow.yaml"
python3 -c "print('name: x\ndrills: ' + '{a: ' * 10000 + '1' + '}' * 10000)" >"$G/deep-map.yaml"
python3 -c "print('name: x\ndrills:\n  ' + '- ' * 10000 + 'x')" >"$G/deep-block.yaml"
for f in "$G"/deep-*.yaml; do
	every_command "$(basename "$f")" 65 "$f"
	hostile "$f" 65 validate "$f"
	if grep -qE "^$f:2:[0-9]+: error: nesting deeper than 32 levels|^$f:3:[0-9]+: error: nesting deeper than 32 levels" "$TMP/err"; then
		ok "$f: nesting refused at its position"
	else
		fail "$f: nesting refused at its position" "$(head -c 500 "$TMP/err")"
	fi
done

# --- Size: 2 MiB, exactly 1 MiB (fine), one byte over ---
{ printf 'name: Big\n'; head -c 2097152 /dev/zero | tr '\0' '#'; echo; } >"$G/2mib.yaml"
every_command 2mib.yaml 65 "$G/2mib.yaml"
unlocated "$G/2mib.yaml" "larger than 1 MiB"
python3 - "$G" <<'PYEOF'
import sys
body = "name: Padded\ndrills: [{name: Calf, duration: 45s}]\n"
pad = 1048576 - len(body) - 2
open(sys.argv[1] + "/1mib.yaml", "w").write(body + "#" + "x" * pad + "\n")
open(sys.argv[1] + "/1mib-plus-1.yaml", "w").write(body + "#" + "x" * (pad + 1) + "\n")
PYEOF
check "the 1 MiB case is exactly 1048576 bytes" test "$(wc -c <"$G/1mib.yaml")" -eq 1048576
every_command 1mib.yaml 0 "$G/1mib.yaml"
hostile 1mib-plus-1.yaml 65 validate "$G/1mib-plus-1.yaml"
unlocated "$G/1mib-plus-1.yaml" "larger than 1 MiB"

# --- A 100 KB string: as a value, a key, a duration; messages stay short ---
python3 - "$G" <<'PYEOF'
import sys
d, s = sys.argv[1], "x" * 102400
open(d + "/long-name.yaml", "w").write('name: "%s"\ndrills: [{name: a, duration: 45s}]\n' % s)
open(d + "/long-cue.yaml", "w").write('name: n\ndrills:\n  - name: a\n    duration: 45s\n    cue: %s\n' % s)
open(d + "/long-key.yaml", "w").write('name: n\n%s: 1\ndrills: [{name: a, duration: 45s}]\n' % s)
open(d + "/long-duration.yaml", "w").write('name: n\ndrills: [{name: a, duration: %ss}]\n' % ("9" * 102400))
PYEOF
for c in long-name:1:7:"too long (102400 characters)" long-cue:5:10:"too long (102400 characters)" \
         long-key:2:102401:"could not find expected" long-duration:2:30:"invalid duration"; do
	n=${c%%:*} rest=${c#*:}
	pos=${rest%:*} word=${rest##*:}
	every_command "$n" 65 "$G/$n.yaml"
	hostile "$n" 65 validate "$G/$n.yaml"
	located "$G/$n.yaml" "$pos" "$word"
	check "$n: no message line over 400 bytes" sh -c "! awk 'length > 400' '$TMP/err' | grep -q ."
done

# --- Bytes that are not UTF-8 text ---
printf 'name: a\000b\ndrills: [{name: a, duration: 45s}]\n' >"$G/nul.yaml"
printf 'name: n\ndrills:\n  - name: a\000\000\000\n' >"$G/nul-in-drill.yaml"
printf 'name: caf\351\n' >"$G/latin1.yaml"
printf 'name: n\ncue: \300\257\n' >"$G/overlong.yaml"
printf 'name: \355\240\200\n' >"$G/surrogate.yaml"
printf 'name: \364\220\200\200\n' >"$G/above-10ffff.yaml"
printf 'name: ab\342\202' >"$G/truncated.yaml"
printf 'name: n\ndrills: [{name: a, duration: 45s, cue: "\357\277\276"}]\n' >"$G/nonchar.yaml"
for c in nul:1:8:NUL nul-in-drill:3:12:NUL latin1:1:10:"invalid UTF-8" overlong:2:6:"invalid UTF-8" \
         surrogate:1:7:"invalid UTF-8" above-10ffff:1:7:"invalid UTF-8" \
         truncated:1:9:"invalid UTF-8" nonchar:2:41:"U+FFFE"; do
	n=${c%%:*} rest=${c#*:}
	pos=${rest%:*} word=${rest##*:}
	every_command "$n" 65 "$G/$n.yaml"
	hostile "$n" 65 validate "$G/$n.yaml"
	located "$G/$n.yaml" "$pos" "$word"
done

# --- Line ends and a BOM: must load, and mean the same ---
hostile "LF original" 0 show --format json routines/pre-run.yaml
cp "$TMP/out" "$G/lf.json"
printf '\357\273\277' >"$G/bom.yaml"
cat routines/pre-run.yaml >>"$G/bom.yaml"
sed 's/$/\r/' routines/pre-run.yaml >"$G/crlf.yaml"
{ printf '\357\273\277'; sed 's/$/\r/' routines/pre-run.yaml; } >"$G/bom-crlf.yaml"
tr '\n' '\r' <routines/pre-run.yaml >"$G/cr.yaml"
for n in bom crlf bom-crlf cr; do
	every_command "$n" 0 "$G/$n.yaml"
	hostile "$n" 0 show --format json "$G/$n.yaml"
	# Only the file name differs from the LF original's plan.
	if jq -S 'del(.file)' "$TMP/out" | cmp -s - "$G/lf.norm" 2>/dev/null ||
	   { jq -S 'del(.file)' "$G/lf.json" >"$G/lf.norm" && jq -S 'del(.file)' "$TMP/out" | cmp -s - "$G/lf.norm"; }; then
		ok "$n: the same plan as with LF line ends"
	else
		fail "$n: the same plan as with LF line ends" "$(jq -S 'del(.file)' "$TMP/out" | diff - "$G/lf.norm" | head -n 20)"
	fi
done
printf 'name: n\r\ndrills:\r\n  - name: Calf\r\n    duration: 4x\r\n' >"$G/crlf-error.yaml"
hostile "CRLF with an error" 65 validate "$G/crlf-error.yaml"
located "$G/crlf-error.yaml" 4:15 "invalid duration"

# --- Control characters and escape sequences in every text field ---
# Each text field in turn gets one hostile value; everything else is valid.
# Refused at the field's position, and never echoed raw by any command.
field_routine() { # FIELD VALUE (a YAML double-quoted body)
	v=$2
	n='Calf' d='' lt='' c='Roll.' s='Up' p='Flex' b='Ball here.'
	case "$1" in
	name) rn=$v ;;
	description) d=$v ;;
	linger_text) lt=$v ;;
	drill.name) n=$v ;;
	cue) c=$v ;;
	step) s=$v ;;
	prompt) p=$v ;;
	variant) b=$v ;;
	esac
	printf 'name: "%s"\n' "${rn:-Routine}"
	[ -n "$d" ] && printf 'description: "%s"\n' "$d"
	[ -n "$lt" ] && printf 'linger_text: "%s"\n' "$lt"
	printf 'drills:\n  - name: "%s"\n    duration: 45s\n    cue: "%s"\n' "$n" "$c"
	printf '    movement:\n      steps: ["%s", "Down"]\n' "$s"
	printf '    prompts:\n      - text: "%s"\n        at: 20s\n' "$p"
	printf '    equipment:\n      ball: "%s"\n' "$b"
	rn=
}
# The line and column of the hostile value: its opening quote.
pos_of() {
	awk 'i = index($0, "\"x\\") { print NR ":" i; exit }' "$1"
}
i=0
for field in name description linger_text drill.name cue step prompt variant; do
	for esc in '\e[31mred' '\e]0;owned\a' '\x9b2J' '\u009b31m' '\x07bell' '\x7f' '\r' '\N' '\0' '\x1bP+q\x1b\\'; do
		i=$((i + 1))
		f=$G/esc-$i.yaml
		field_routine "$field" "x$(printf '%s' "$esc")y" >"$f"
		pos=$(pos_of "$f")
		every_command "escape $esc in $field" 65 "$f"
		hostile "escape $esc in $field" 65 validate "$f"
		located "$f" "$pos" "control character"
	done
done
# Raw bytes rather than YAML escapes: refused before any parsing.
printf 'name: "a\033[31mb"\ndrills: [{name: a, duration: 45s}]\n' >"$G/raw-esc.yaml"
printf 'name: n\ndrills: [{name: "a\302\233b", duration: 45s}]\n' >"$G/raw-c1.yaml"
printf 'name: n\ndrills: [{name: a, duration: 45s, cue: "\a\b"}]\n' >"$G/raw-bel.yaml"
for c in raw-esc:1:9 raw-c1:2:19 raw-bel:2:41; do
	n=${c%%:*} pos=${c#*:}
	every_command "$n" 65 "$G/$n.yaml"
	hostile "$n" 65 validate "$G/$n.yaml"
	located "$G/$n.yaml" "$pos" "control character"
done

# --- Durations: overflow, sign, fraction, exponent, other bases ---
j=0
for v in 99999999999999h 18446744073709551616 18446744073709551615s 5124095576030432h \
         99999999999999999999999999999999m -5 -5s +5s 4.5 1.5m .5s 5. 1e3 0x1e 0o17 \
         inf .nan 5S "5 s" 1m1m 30s1m 1h1h 1d 5ms "''" "~" null true "[5s]" "{s: 5}"; do
	for key in duration lead_in every at; do
		j=$((j + 1))
		f=$G/dur-$j.yaml
		case "$key" in
		duration) printf 'name: n\ndrills:\n  - name: a\n    duration: %s\n' "$v" ;;
		lead_in) printf 'name: n\nlead_in: %s\ndrills:\n  - name: a\n    duration: 45s\n' "$v" ;;
		every) printf 'name: n\ndrills:\n  - name: a\n    duration: 45s\n    movement:\n      steps: [Up]\n      every: %s\n' "$v" ;;
		at) printf 'name: n\ndrills:\n  - name: a\n    duration: 45s\n    prompts:\n      - text: t\n        at: %s\n' "$v" ;;
		esac >"$f"
		hostile "duration $v as $key" 65 validate "$f"
		if grep -qE "^$f:[0-9]+:[0-9]+: error: " "$TMP/err" && grep -q "$key" "$TMP/err"; then
			ok "duration $v as $key: located, naming '$key'"
		else
			fail "duration $v as $key: located, naming '$key'" "$(head -c 500 "$TMP/err")"
		fi
	done
done

# --- Too many of everything ---
python3 - "$G" <<'PYEOF'
import sys
d = sys.argv[1]
# 60000 values in one list: over the 50000-value cap.
open(d + "/many-values.yaml", "w").write("name: n\ndrills: [" + ",".join(["1"] * 60000) + "]\n")
# 60 drills each with two mistakes: the messages stop at 100.
out = ["name: n", "drills:"]
for i in range(60):
    out += ["  - name: d%d" % i, "    duraton: 45s", "    colour: red"]
open(d + "/many-errors.yaml", "w").write("\n".join(out) + "\n")
# 100 drills with 16 prompts each: valid.
out = ["name: Hundred", "rest: 0", "switch: 0", "lead_in: 0", "drills:"]
for i in range(100):
    out += ["  - name: Drill %d" % i, "    duration: 30s", "    sides: [left, right]", "    prompts:"]
    for k in range(16):
        out += ["      - text: Prompt %d of drill %d" % (k, i), "        at: %ds" % (k + 1)]
open(d + "/100x16.yaml", "w").write("\n".join(out) + "\n")
# Every limit at once: 100 drills, longest texts, 8 steps, 16 prompts,
# every equipment variant; under 1 MiB and valid.
t200, t500, t80 = "t" * 200, "c" * 500, "n" * 76
out = ["name: " + "R" * 80, "description: " + "d" * 1000, "linger_text: " + t200, "drills:"]
for i in range(100):
    out += ["  - name: %s%04d" % (t80, i), "    duration: 10m", "    cue: " + t500,
            "    movement:", "      every: 1s", "      steps: [" + ", ".join([t200] * 8) + "]",
            "    prompts:"]
    out += ["      - {text: %s, every: %ds}" % (t200, k + 1) for k in range(16)]
    out += ["    equipment:"] + ["      %s: %s" % (e, t500) for e in
            ("roller", "travel-roller", "stick", "ball", "trigger-point-tool")]
open(d + "/every-limit.yaml", "w").write("\n".join(out) + "\n")
PYEOF
hostile many-values 65 validate "$G/many-values.yaml"
located "$G/many-values.yaml" 2:100000 "more than 50000 YAML values"
hostile many-errors 65 validate "$G/many-errors.yaml"
check "many-errors: 100 messages, then one saying it stopped" \
	test "$(wc -l <"$TMP/err")" -eq 101
check "many-errors: the last line says it stopped" sh -c "tail -n 1 '$TMP/err' | grep -q 'too many problems'"
every_command 100x16 0 "$G/100x16.yaml"
hostile 100x16 0 validate "$G/100x16.yaml"
check "100x16: 100 drills" grep -q ": ok (100 drills, total " "$TMP/out"
check "every-limit is under 1 MiB" test "$(wc -c <"$G/every-limit.yaml")" -le 1048576
every_command every-limit 65 "$G/every-limit.yaml"
check "every-limit: only the 4-hour total is refused" sh -c \
	"test \$(wc -l <'$TMP/err') -eq 1 && grep -q 'the total must be at most 4:00:00' '$TMP/err'"
sed 's/duration: 10m/duration: 1m/' "$G/every-limit.yaml" >"$G/every-limit-ok.yaml"
every_command every-limit-ok 0 "$G/every-limit-ok.yaml"

# --- Paths that are not regular files: no read, no block ---
mkfifo "$G/fifo.yaml"
ln -s /dev/zero "$G/zero.yaml"
for p in "$G" "$G/fifo.yaml" /dev/zero "$G/zero.yaml"; do
	for cmd in validate show "run --headless --instant" "run --format jsonl --instant"; do
		# shellcheck disable=SC2086
		hostile "$cmd $p" 65 $cmd "$p"
		unlocated "$p" "not a regular file"
	done
done
# A FIFO with a writer that never writes: still refused at once.
sleep 30 >"$G/fifo.yaml" &
writer=$!
hostile "validate a FIFO with a silent writer" 65 validate "$G/fifo.yaml"
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
# A pipe on stdin named as the routine.
if printf 'name: n\ndrills: [{name: a, duration: 45s}]\n' |
	timeout 5 "$WARMUP" validate /dev/stdin >"$TMP/out" 2>"$TMP/err"; then
	fail "/dev/stdin as a pipe is refused" "exit 0"
else
	check "/dev/stdin as a pipe is refused as a FIFO" grep -q "not a regular file (a FIFO)" "$TMP/err"
fi
ln -s loop-b "$G/loop-a.yaml"
ln -s loop-a.yaml "$G/loop-b"
hostile "a symlink loop" 66 validate "$G/loop-a.yaml"

# --- Hostile file names: escaped wherever they are printed ---
H=$G/names
mkdir -p "$H"
cp tests/routines/good/minimal.yaml "$H/$(printf 'e\033[31mvil\nname').yaml"
printf 'name: n\ndrills: []\n' >"$H/$(printf 'c1\302\233x').yaml"
for f in "$H"/*.yaml; do
	want=0
	case "$f" in *c1*) want=65 ;; esac
	every_command "hostile file name" "$want" "$f"
done
WARMUP_PATH=$H hostile "list with hostile file names" 0 list
# A long name of three-byte characters: list cuts names to a column and
# once cut one in half, leaving invalid UTF-8 (the clean check sees it).
E=$G/euro
mkdir -p "$E"
python3 -c "print('name: ' + '\u20ac' * 40 + '\ndrills: [{name: a, duration: 45s}]')" >"$E/euro.yaml"
WARMUP_PATH=$E hostile "list cuts a long name between characters" 0 list

echo "# slowest: $slowest ($slowest_ms ms)"
[ -n "$SANITIZED" ] || echo "# largest peak RSS: $biggest ($biggest_kb KB)"
done_testing
