# End-to-end tests of the session log through the real binary: what runs
# record, concurrency, damaged files, unwritable folders and the report.
. tests/e2e/lib.sh
PY=/usr/bin/python3
H="$XDG_STATE_HOME/warmup/history.jsonl"
Q=routines/quick.yaml

lines() { if [ -f "$H" ]; then wc -l <"$H" | tr -d ' '; else echo 0; fi; }

expect_exit "a completed run exits 0" 0 "$WARMUP" run --headless --speed 200 "$Q"
check "the history folder is created with mode 0700" sh -c "[ \"\$(stat -c %a '$XDG_STATE_HOME/warmup')\" = 700 ]"
check "a completed session is recorded with every field" $PY - "$H" <<'PYEOF'
import json, sys, re
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
e = json.loads(lines[0])
for k in ["start", "routine", "file", "status", "planned_ms", "elapsed_ms", "work_ms", "drills_completed",
          "drills_total", "skipped", "equipment", "fit_ms", "tender", "version"]:
    assert k in e, k
assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", e["start"]), e["start"]
assert e["routine"] == "Quick roll" and e["status"] == "completed"
assert e["planned_ms"] == 116000 and e["elapsed_ms"] >= 116000 and e["work_ms"] >= 102000
assert e["drills_completed"] == 3 and e["drills_total"] == 3 and e["skipped"] == 0
assert e["equipment"] == "roller" and e["fit_ms"] is None and e["tender"] == {}
PYEOF

n=$(lines)
"$WARMUP" run --headless --instant "$Q" >/dev/null 2>&1
check "--instant never records" test "$(lines)" -eq "$n"
"$WARMUP" run --headless --speed 500 --no-history "$Q" >/dev/null 2>&1
check "--no-history records nothing" test "$(lines)" -eq "$n"
WARMUP_NO_HISTORY=1 "$WARMUP" run --headless --speed 500 "$Q" >/dev/null 2>&1
check "WARMUP_NO_HISTORY=1 records nothing" test "$(lines)" -eq "$n"

# Commands on a pipe: skip one phase, mark a tender spot, with ball and fit.
rm -f "$H"
{ sleep 0.3; echo skip; sleep 0.1; echo tender; echo tender; sleep 3; } |
	"$WARMUP" run --headless --speed 40 --equipment ball --fit 1m30s "$Q" >"$TMP/out" 2>"$TMP/err"
check "skips, tender marks, equipment and fit are recorded" $PY - "$H" <<'PYEOF'
import json, sys
e = json.loads(open(sys.argv[1]).read())
assert e["status"] == "completed", e
assert e["skipped"] == 1 and e["drills_completed"] == 2, e
assert e["equipment"] == "ball" and e["fit_ms"] == 90000 and e["planned_ms"] == 90000, e
t = e["tender"]["Calf / Achilles tendon"]
assert t["left"] + t["right"] == 2, t
PYEOF

# Interrupted by SIGINT after the first work phase began: recorded.
rm -f "$H"
"$WARMUP" run --headless --format jsonl --speed 20 "$Q" >"$TMP/sig.jsonl" 2>&1 &
pid=$!
i=0
while ! grep -q '"phase":"work"' "$TMP/sig.jsonl" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -INT $pid
wait $pid
check "an interrupted session is recorded as interrupted" grep -q '"status":"interrupted"' "$H"
# Interrupted during the lead-in: nothing to record.
rm -f "$H"
"$WARMUP" run --headless --speed 1 "$Q" >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -TERM $pid
wait $pid
check "a session stopped before any work is not recorded" test ! -e "$H"

# Twenty sessions ending at once all land whole.
rm -f "$H"
i=0
while [ $i -lt 20 ]; do
	"$WARMUP" run --headless --speed 1000 "$Q" >/dev/null 2>&1 &
	i=$((i + 1))
done
wait
check "20 concurrent runs leave 20 whole lines" $PY -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n")
assert lines[-1] == "" and len(lines) == 21, len(lines)
for l in lines[:-1]: assert json.loads(l)["status"] == "completed"' "$H"

# The report reads damaged files with warnings and never rewrites them.
printf 'garbage line\n{"start":"2026-01-01T07:00:00+01:00","status":"completed","format":99}\n{"start":"2026-0' >>"$H"
cp "$H" "$TMP/before"
expect_exit "history with damaged lines exits 0" 0 "$WARMUP" history
check "a corrupt line is named by number" grep -q "history.jsonl:21: not valid JSON" "$TMP/err"
check "a newer format is read with a warning" grep -q ":22: written by a newer warmup" "$TMP/err"
check "a truncated last line is reported" grep -q ":23: the last line is incomplete" "$TMP/err"
check "the file is left exactly as it was" cmp -s "$H" "$TMP/before"
check "the report lists today's sessions" grep -q "Quick roll .*completed" "$TMP/out"
check "the report shows this week's total (the January line is not this week)" grep -q "^This week: 20 sessions, 38:40" "$TMP/out"
check "the report shows the streak" grep -q "^Streak: 1 day in a row" "$TMP/out"
check "the report has a 14-day chart" sh -c "[ \$(grep -Ec '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{2}-[0-9]{2} \|' '$TMP/out') -eq 14 ]"
expect_exit "history --last 2" 0 "$WARMUP" history --last 2
check "--last 2 shows the last two sessions" sh -c "[ \$(sed -n '2,/^\$/p' '$TMP/out' | grep -c '^2026-') -eq 2 ] && sed -n 3p '$TMP/out' | grep -q '^2026-01-01'"
expect_exit "history --format jsonl" 0 "$WARMUP" history --format jsonl --last 3
check "--format jsonl prints the lines as recorded, unknown fields kept" $PY -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert len(ls) == 3, ls
assert ls[0]["routine"] == ls[1]["routine"] == "Quick roll" and ls[1]["format"] == 1
assert ls[2] == {"start": "2026-01-01T07:00:00+01:00", "status": "completed", "format": 99}, ls[2]' "$TMP/out"
expect_exit "history --since in the future shows none" 0 "$WARMUP" history --since 2999-01-01
check "--since says so" grep -q "No sessions in that period" "$TMP/out"
expect_exit "history --since with a bad date" 64 "$WARMUP" history --since yesterday

# A torn last line (a crash mid-write) never swallows the next session.
rm -f "$H"
"$WARMUP" run --headless --speed 1000 "$Q" >/dev/null 2>&1
head -c 60 "$H" >"$TMP/torn" && cp "$TMP/torn" "$H"
"$WARMUP" run --headless --speed 1000 "$Q" >/dev/null 2>&1
"$WARMUP" history >"$TMP/out" 2>"$TMP/err"
check "after a torn line the next session is still recorded whole" sh -c "[ \$(grep -c 'Quick roll .*completed' '$TMP/out') -eq 1 ]"
check "the torn line is reported by number" grep -q "history.jsonl:1: not valid JSON" "$TMP/err"
check "the torn line itself is kept as it was" sh -c "head -c 60 '$H' | cmp -s - '$TMP/torn'"

# Tender table: a runner sees which side keeps coming up.
cat >"$H" <<JSON
{"start":"$(date +%Y-%m-%d)T07:00:00+00:00","routine":"R","file":"f","status":"completed","elapsed_ms":60000,"tender":{"Calf":{"left":3,"right":1,"none":0}}}
JSON
expect_exit "history with tender marks" 0 "$WARMUP" history
check "tender table shows left and right per drill" grep -Eq '^Calf +3 +1 +0$' "$TMP/out"

# Text from the log never reaches the terminal raw, lines out of date order
# are filtered one by one, and wide names are cut between characters.
today=$(date +%Y-%m-%d)
cat >"$H" <<JSON
{"start":"${today}T07:00:00+00:00","routine":"Evil \u001b[31m \u202e name","file":"f","status":"completed\u001b]0;x\u0007","elapsed_ms":60000,"tender":{"Calf \u001b[1m":{"left":1,"right":0,"none":0}}}
{"start":"2020-01-01T07:00:00+00:00","routine":"Old","file":"f","status":"completed","elapsed_ms":60000}
{"start":"${today}T08:00:00+00:00","routine":"€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€€","file":"f","status":"completed","elapsed_ms":60000}
JSON
esc=$(printf '\033')
rlo=$(printf '\342\200\256')
for fmt in text jsonl; do
	"$WARMUP" history --format $fmt >"$TMP/out" 2>"$TMP/err"
	check "history ($fmt) shows no raw escape or bidi control" sh -c "! grep -q '$esc' '$TMP/out' '$TMP/err' && ! grep -q '$rlo' '$TMP/out' '$TMP/err'"
done
"$WARMUP" history >"$TMP/out"
check "history text shows control characters visibly" grep -q 'Evil \\x1b\[31m \\u202e' "$TMP/out"
check "a long name is cut between characters" sh -c "grep '€' '$TMP/out' | iconv -f UTF-8 -t UTF-8 >/dev/null"
"$WARMUP" history --since 2021-01-01 >"$TMP/out"
check "--since filters every line, not only a leading run" sh -c "! grep -q Old '$TMP/out' && grep -q Evil '$TMP/out'"

# Local dates with the TZ set, through the real program at faked clock
# times (libfaketime; the monotonic clock is left real so runs keep time).
# Not in the sanitizer pass: ASan must be the first library loaded, and
# faketime preloads its own.
if [ -z "${WARMUP_SANITIZED:-}" ]; then
at() { # TZ, "YYYY-MM-DD hh:mm:ss", command...
	_tz=$1 _when=$2; shift 2
	TZ=$_tz DONT_FAKE_MONOTONIC=1 faketime -f "@$_when" "$@"
}
rm -f "$H"
for d in "2026-03-28 20:00:00" "2026-03-29 20:00:00" "2026-03-30 07:00:00"; do
	at Europe/London "$d" "$WARMUP" run --headless --speed 1000 "$Q" >/dev/null 2>&1
done
check "DST: each start carries the offset in force then" sh -c "cut -c1-35 '$H' | tr '\n' ' ' | grep -q '2026-03-28T20:00:00+00:00.*2026-03-29T20:00:00+01:00.*2026-03-30T07:00:00+01:00'"
at Europe/London "2026-03-30 12:00:00" "$WARMUP" history >"$TMP/out" 2>&1
check "DST: three days in a row across the change make a streak of 3" grep -q "^Streak: 3 days" "$TMP/out"
check "DST: Monday 30 March starts a new week" grep -q "^This week: 1 session, 1:56    Last week: 2 sessions, 3:52" "$TMP/out"
rm -f "$H"
for d in "2026-01-31 06:00:00" "2026-02-01 06:00:00"; do
	at Pacific/Auckland "$d" "$WARMUP" run --headless --speed 1000 "$Q" >/dev/null 2>&1
done
at Pacific/Auckland "2026-02-02 06:00:00" "$WARMUP" history >"$TMP/out" 2>&1
check "month end: the table shows local dates" sh -c "grep -q '^2026-01-31 06:00' '$TMP/out' && grep -q '^2026-02-01 06:00' '$TMP/out'"
check "month end: the streak runs from 31 January into February (yesterday counts)" grep -q "^Streak: 2 days" "$TMP/out"
check "month end: on Monday 2 February (local) both are last week's" grep -q "^This week: 0 sessions, 0:00    Last week: 2 sessions, 3:52" "$TMP/out"
check "month end: the chart ends on the local today" grep -q '^Mon 02-02 |' "$TMP/out"
fi

# Empty and missing histories.
rm -f "$H"
expect_exit "a missing history exits 0" 0 "$WARMUP" history
check "a missing history says so" grep -q "No sessions recorded yet" "$TMP/out"

# An unwritable state folder: the session still completes, one warning.
XDG_STATE_HOME="$TMP/a-file/state" sh -c ": >'$TMP/a-file'; '$WARMUP' run --headless --speed 500 '$Q'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "an unwritable state folder still lets the session complete" test "$rc" -eq 0
check "the session output is complete" grep -q "Session completed" "$TMP/out"
check "one warning says where and why" sh -c "[ \$(grep -c 'warning: session not recorded' '$TMP/err') -eq 1 ] && grep -q 'a-file' '$TMP/err'"
# A full disk.
mkdir -p "$TMP/full/warmup"
ln -s /dev/full "$TMP/full/warmup/history.jsonl"
XDG_STATE_HOME="$TMP/full" "$WARMUP" run --headless --speed 500 "$Q" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a full disk still lets the session complete" test "$rc" -eq 0
check "a full disk gives one warning" grep -q "No space left on device" "$TMP/err"

done_testing
