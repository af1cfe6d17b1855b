# End-to-end tests of the command line through the real binary: help,
# version, exit codes, routine lookup, validate, show and list.
. tests/e2e/lib.sh
PY=/usr/bin/python3

version=$(sed -n 's/^VERSION *:= *//p' Makefile)
expect_exit "--version exits 0" 0 "$WARMUP" --version
check "--version prints the Makefile's version" grep -qx "warmup $version" "$TMP/out"

expect_exit "--help exits 0" 0 "$WARMUP" --help
for c in run validate show list help; do
	check "--help names $c" grep -q "warmup $c" "$TMP/out"
done
expect_exit "help run exits 0" 0 "$WARMUP" help run
check "help run lists --speed" grep -q -- "--speed" "$TMP/out"
expect_exit "help for an unknown command is a usage error" 64 "$WARMUP" help frobnicate
expect_exit "no arguments is a usage error" 64 "$WARMUP"
expect_exit "unknown command is a usage error" 64 "$WARMUP" frobnicate
check "unknown command is named" grep -q "frobnicate" "$TMP/err"
expect_exit "unknown option is a usage error" 64 "$WARMUP" show --bogus routines/quick.yaml
check "unknown option is named" grep -q -- "--bogus" "$TMP/err"
expect_exit "option without its value is a usage error" 64 "$WARMUP" show routines/quick.yaml --format
expect_exit "bad --format value" 64 "$WARMUP" show --format xml routines/quick.yaml
expect_exit "bad --equipment value" 64 "$WARMUP" show --equipment pillow routines/quick.yaml
check "bad --equipment lists the choices" grep -q "trigger-point-tool" "$TMP/err"
expect_exit "bad --fit value" 64 "$WARMUP" show --fit 4x routines/quick.yaml
expect_exit "--fit below the minimum" 64 "$WARMUP" show --fit 10s routines/quick.yaml
check "--fit below the minimum names the minimum (6 bouts x 5 s)" grep -q "0:30" "$TMP/err"
expect_exit "validate with no file is a usage error" 64 "$WARMUP" validate
expect_exit "run with two files is a usage error" 64 "$WARMUP" run routines/quick.yaml routines/quick.yaml

# validate
expect_exit "bundled routines validate" 0 "$WARMUP" validate routines/*.yaml
n=$(ls routines/*.yaml | wc -l)
check "one ok line per bundled routine" test "$(grep -c ': ok (' "$TMP/out")" -eq "$n"
check "ok line shape for pre-run" grep -Eq '^routines/pre-run\.yaml: ok \(3 drills, total 5:10\)$' "$TMP/out"
expect_exit "a missing file exits 66" 66 "$WARMUP" validate no-such-routine
check "missing file message" grep -q "no-such-routine: No such file or directory" "$TMP/err"
check "missing file lists the places searched" grep -q "warmup/routines" "$TMP/err"
expect_exit "a missing path exits 66" 66 "$WARMUP" validate ./nowhere/x.yaml
expect_exit "one bad among good exits 66" 66 "$WARMUP" validate routines/quick.yaml missing.yaml
check "the good one is still reported" grep -q "quick.yaml: ok" "$TMP/out"

# lookup by name, from another folder
(cd "$TMP" && "$WARMUP" validate pre-run) >"$TMP/o2" 2>&1
check "validate pre-run works from another folder" grep -q "pre-run.yaml: ok" "$TMP/o2"
(cd "$TMP" && "$WARMUP" validate pre-run.yaml) >"$TMP/o2" 2>&1
check "validate pre-run.yaml works from another folder" grep -q "pre-run.yaml: ok" "$TMP/o2"
mkdir -p "$TMP/p1" "$TMP/p2" "$XDG_CONFIG_HOME/warmup/routines"
sed 's/^name: .*/name: From WARMUP_PATH/' routines/quick.yaml >"$TMP/p2/mine.yaml"
sed 's/^name: .*/name: From XDG/' routines/quick.yaml >"$XDG_CONFIG_HOME/warmup/routines/mine.yaml"
sed 's/^name: .*/name: Shadowing pre-run/' routines/quick.yaml >"$XDG_CONFIG_HOME/warmup/routines/pre-run.yaml"
(cd "$TMP" && WARMUP_PATH="$TMP/p1:$TMP/p2" "$WARMUP" show --format json mine) >"$TMP/o3" 2>&1
check "WARMUP_PATH folders are searched first" grep -q '"From WARMUP_PATH"' "$TMP/o3"
(cd "$TMP" && "$WARMUP" show --format json mine) >"$TMP/o3" 2>&1
check "XDG_CONFIG_HOME/warmup/routines is searched" grep -q '"From XDG"' "$TMP/o3"
(cd "$TMP" && "$WARMUP" show --format json pre-run) >"$TMP/o3" 2>&1
check "the user's routines come before the bundled ones" grep -q '"Shadowing pre-run"' "$TMP/o3"
rm -f "$XDG_CONFIG_HOME/warmup/routines/pre-run.yaml"

# show
expect_exit "show text exits 0" 0 "$WARMUP" show routines/pre-run.yaml
check "show text names the routine and total" grep -q "total 5:10" "$TMP/out"
check "show text lists a work phase" grep -Eq '0:05 +work +left +0:45 +Calf / Achilles tendon' "$TMP/out"
for f in routines/*.yaml tests/routines/good/*.yaml; do
	[ -f "$f" ] || continue
	"$WARMUP" show --format json "$f" >"$TMP/show.json" 2>"$TMP/err"
	check "show --format json follows the contract: $f" $PY - "$TMP/show.json" "$f" <<'PYEOF'
import json, sys
doc = json.load(open(sys.argv[1]))
assert set(["name", "file", "total_ms", "phases"]) <= set(doc), doc.keys()
assert isinstance(doc["name"], str) and doc["file"] == sys.argv[2]
t = 0
kinds = []
for i, p in enumerate(doc["phases"]):
    assert set(p) >= {"kind", "drill", "drill_index", "side", "start_ms", "duration_ms"}, p
    assert p["kind"] in ("lead_in", "work", "switch", "rest"), p
    assert p["side"] in ("left", "right", None)
    assert p["start_ms"] == t, (p, t)
    assert isinstance(p["duration_ms"], int) and p["duration_ms"] > 0, "zero-length phase"
    if p["kind"] in ("lead_in", "rest"):
        assert p["drill"] is None and p["drill_index"] is None and p["side"] is None, p
        assert p["kind"] == "rest" or i == 0
    else:
        assert isinstance(p["drill"], str) and isinstance(p["drill_index"], int)
    if p["kind"] == "switch":
        prev, nxt = doc["phases"][i - 1], doc["phases"][i + 1]
        assert prev["kind"] == nxt["kind"] == "work" and prev["drill_index"] == nxt["drill_index"] == p["drill_index"]
        assert prev["side"] != nxt["side"] and None not in (prev["side"], nxt["side"])
    if p["kind"] == "rest":
        assert 0 < i < len(doc["phases"]) - 1
        assert doc["phases"][i + 1]["drill_index"] == doc["phases"][i - 1]["drill_index"] + 1
    t += p["duration_ms"]
    kinds.append(p["kind"])
assert doc["total_ms"] == t
assert kinds[-1] == "work", "the session ends on a work bout"
PYEOF
done
"$WARMUP" show --format json routines/pre-run.yaml >"$TMP/show.json"
check "pre-run plan: 9 work/switch/rest phases after the lead-in, 310 s" $PY -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["total_ms"] == 310000, d["total_ms"]
assert [p["kind"] for p in d["phases"]] == ["lead_in"] + (["work","switch","work","rest"]*3)[:-1], [p["kind"] for p in d["phases"]]
assert [p["side"] for p in d["phases"] if p["kind"]=="work"] == ["left","right"]*3' "$TMP/show.json"
"$WARMUP" show --format json --fit 3m routines/pre-run.yaml >"$TMP/show.json"
check "show --fit 3m totals 180 s in whole seconds, bouts at least 5 s" $PY -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert abs(d["total_ms"] - 180000) <= 1000, d["total_ms"]
assert all(p["duration_ms"] % 1000 == 0 for p in d["phases"])
assert all(p["duration_ms"] >= 5000 for p in d["phases"] if p["kind"]=="work")
assert sum(p["duration_ms"] for p in d["phases"]) == d["total_ms"]' "$TMP/show.json"

# list
expect_exit "list exits 0" 0 "$WARMUP" list
check "list shows the bundled pre-run routine with its total" grep -Eq 'Pre-run rolling +5:10 +.*routines/pre-run\.yaml' "$TMP/out"
check "list shows the user's routine" grep -q "From XDG" "$TMP/out"

# Bidi controls pass the loader (they are not control characters) but are
# shown escaped everywhere, so a name cannot reorder what the terminal shows.
rlo=$(printf '\342\200\256')
printf 'name: "abc\\u202Edef"\ndrills:\n  - name: "x\\u2066y"\n    duration: 5s\n' >"$TMP/bidi.yaml"
for mode in "show" "show --format json" "run --headless --instant" "run --headless --instant --format jsonl"; do
	# shellcheck disable=SC2086
	"$WARMUP" $mode "$TMP/bidi.yaml" >"$TMP/out" 2>"$TMP/err"
	check "no raw bidi control in output: $mode" sh -c "! grep -q '$rlo' '$TMP/out' '$TMP/err' && grep -q 'u202e' '$TMP/out'"
done
mkdir -p "$TMP/bidi"
cp "$TMP/bidi.yaml" "$TMP/bidi/"
WARMUP_PATH="$TMP/bidi" "$WARMUP" list >"$TMP/out" 2>&1
check "no raw bidi control in list" sh -c "! grep -q '$rlo' '$TMP/out' && grep -q 'abc.u202edef' '$TMP/out'"

# output errors
"$WARMUP" show routines/pre-run.yaml >/dev/full 2>"$TMP/err"
rc=$?
check "a full disk on stdout exits 74" test "$rc" -eq 74

# Closed standard descriptors: nothing we open lands on them.
"$WARMUP" show routines/quick.yaml >&- 2>"$TMP/err"
check "a closed stdout is an I/O error, said once" sh -c "[ $? -eq 74 ] && [ \$(wc -l <'$TMP/err') -eq 1 ]"
"$WARMUP" run --headless --speed 500 --no-history routines/quick.yaml <&- 2>&- >"$TMP/out"
check "closed stdin and stderr: the run completes" grep -q "Session completed" "$TMP/out"

done_testing
