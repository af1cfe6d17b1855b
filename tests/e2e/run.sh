# End-to-end tests of `warmup run --headless` through the real binary: the
# JSON Lines contract, agreement with `show`, clocks, signals and pipes.
. tests/e2e/lib.sh
PY=/usr/bin/python3

# Every line valid JSON with the contract's fields; the plan's phases in
# order; times that match `show` exactly.
agree() { # routine, extra run options...
	f=$1; shift
	"$WARMUP" show --format json "$@" "$f" >"$TMP/plan.json" 2>"$TMP/err" || return 1
	"$WARMUP" run --headless --instant --format jsonl "$@" "$f" >"$TMP/events.jsonl" 2>>"$TMP/err" || return 1
	$PY - "$TMP/plan.json" "$TMP/events.jsonl" <<'PYEOF'
import json, sys
plan = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
ev = [json.loads(l) for l in lines]
assert all("t" in e and "event" in e and "wall_ms" not in e for e in ev), "t/event on every line, no wall_ms with --instant"
assert ev[0]["event"] == "session_start" and ev[-1]["event"] == "session_end"
s = ev[0]
assert s["routine"] == plan["name"] and s["file"] == plan["file"] and s["total_ms"] == plan["total_ms"] and s["phases"] == len(plan["phases"])
starts = [e for e in ev if e["event"] == "phase_start"]
assert len(starts) == len(plan["phases"]), (len(starts), len(plan["phases"]))
for e, p in zip(starts, plan["phases"]):
    assert e["t"] == p["start_ms"], (e, p)
    assert (e["phase"], e["drill"], e["drill_index"], e["side"], e["duration_ms"]) == \
           (p["kind"], p["drill"], p["drill_index"], p["side"], p["duration_ms"]), (e, p)
ends = [e for e in ev if e["event"] == "phase_end"]
assert [e["status"] for e in ends] == ["completed"] * len(plan["phases"])
for e in ev:
    if e["event"] == "cue":
        assert e["kind"] in ("movement", "prompt", "linger") and isinstance(e["text"], str)
ts = [e["t"] for e in ev]
assert ts == sorted(ts), "time never goes backwards"
end = ev[-1]
assert end["status"] == "completed" and end["elapsed_ms"] == plan["total_ms"] == end["t"]
work = sum(p["duration_ms"] for p in plan["phases"] if p["kind"] == "work")
assert end["work_ms"] == work, (end["work_ms"], work)
PYEOF
}
for f in routines/*.yaml tests/routines/good/*.yaml; do
	[ -f "$f" ] || continue
	check "run --instant jsonl agrees with show: $f" agree "$f"
done
check "equipment and fit agree with show" agree routines/pre-run.yaml --equipment ball --fit 4m

# Exact cue times of the bundled routine (the engine's unit tests hold the rest).
"$WARMUP" run --headless --instant --format jsonl routines/pre-run.yaml >"$TMP/e.jsonl"
check "pre-run cues come at the engine's times" $PY - "$TMP/e.jsonl" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
cues = [(e["t"], e["kind"], e["text"]) for e in ev if e["event"] == "cue" and e["t"] < 50000]
mv = [c for c in cues if c[1] == "movement"]
assert [c[0] for c in mv] == list(range(5000, 50000, 2000)), [c[0] for c in mv]
assert mv[0][2] == "Roll up toward the knee" and mv[1][2] == "Roll back down to the Achilles" and mv[2][2] == mv[0][2]
assert [c[0] for c in cues if c[1] == "linger"] == [20000, 35000], cues
assert [c[0] for c in cues if c[1] == "prompt"] == [25000]
cd = [(e["t"], e["remaining_s"]) for e in ev if e["event"] == "countdown" and e["t"] < 50000]
assert cd == [(2000, 3), (3000, 2), (4000, 1), (47000, 3), (48000, 2), (49000, 1)], cd
ps = [e for e in ev if e["event"] == "phase_start"][1]
assert ps["cue"].startswith("Roller under the lower leg"), ps
PYEOF
"$WARMUP" run --headless --instant --format jsonl --equipment ball routines/pre-run.yaml >"$TMP/e.jsonl"
check "--equipment ball shows the ball variant" grep -q '"cue":"Ball under the calf' "$TMP/e.jsonl"
"$WARMUP" run --headless --instant --format jsonl --fit 3m routines/pre-run.yaml >"$TMP/e.jsonl"
check "--fit 3m ends at 180 s" grep -q '"event":"session_end","status":"completed","elapsed_ms":180000' "$TMP/e.jsonl"

# Commands on a pipe show up in the stream with the contract's shapes.
{ sleep 0.3; echo pause; sleep 0.2; echo resume; echo tender; sleep 0.1; echo skip; sleep 0.1; echo stop; } |
	"$WARMUP" run --headless --format jsonl --speed 20 --no-history routines/quick.yaml >"$TMP/cmd.jsonl" 2>"$TMP/err"
check "piped commands: exit 0 after stop" test $? -eq 0
check "piped commands give pause, resume, tender, skipped and stopped events" $PY - "$TMP/cmd.jsonl" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
kinds = [e["event"] for e in ev]
for k in ("pause", "resume", "tender", "session_end"):
    assert k in kinds, (k, kinds)
p = ev[kinds.index("pause")]; r = ev[kinds.index("resume")]
assert set(p) == {"t", "wall_ms", "event"} and set(r) == {"t", "wall_ms", "event"}, (p, r)
assert r["t"] - p["t"] >= 2000, (p, r)   # 0.2 s real at speed 20
t = ev[kinds.index("tender")]
assert t["phase"] == "work" and t["drill_index"] == 0 and t["side"] == "left", t
after = ev[kinds.index("tender") + 1]
assert after["event"] == "cue" and after["kind"] == "linger" and after["t"] == t["t"], after
skipped = [e for e in ev if e["event"] == "phase_end" and e["status"] == "skipped"]
assert skipped and skipped[0]["phase"] == "work", skipped
end = ev[-1]
assert end["event"] == "session_end" and end["status"] == "stopped", end
PYEOF

# The dynamic drills after the rolling turn the keep-moving prompt off.
"$WARMUP" run --headless --instant --format jsonl --no-history routines/pre-run-full.yaml >"$TMP/full.jsonl"
check "pre-run-full: linger prompts in the rolling drills only" $PY - "$TMP/full.jsonl" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
drill = None; seen = {}
for e in ev:
    if e["event"] == "phase_start":
        drill = e["drill_index"]
    if e["event"] == "cue" and e["kind"] == "linger":
        seen[drill] = seen.get(drill, 0) + 1
assert sorted(seen) == [0, 1, 2], seen
PYEOF

# Text format.
expect_exit "text format runs" 0 "$WARMUP" run --headless --instant routines/pre-run.yaml
check "text: a work bout line" grep -qx '\[00:05\] Calf / Achilles tendon, left side, 0:45' "$TMP/out"
check "text: cues are indented beneath" grep -qx '\[00:20\]   ! Don.t linger on tender spots - keep moving' "$TMP/out"
check "text: switch and rest lines" grep -q 'Switch sides, 0:05' "$TMP/out"
check "text: a summary at the end" grep -q '^Summary: 3 of 3 drills completed, 0 phases skipped' "$TMP/out"

# Non-terminal fallback: no --headless, stdout is a file.
expect_exit "run without a terminal falls back to headless" 0 "$WARMUP" run --instant routines/quick.yaml
check "fallback notice on stderr" grep -q "not a terminal" "$TMP/err"
check "fallback prints text events" grep -q '^\[00:05\] Calf' "$TMP/out"
TERM=dumb script -qec "$WARMUP run --instant routines/quick.yaml" /dev/null >"$TMP/out" 2>&1
check "TERM=dumb falls back to headless on a terminal" grep -q "running headless" "$TMP/out"

# Real time: wall_ms present, live, and the whole run on time.
start=$(date +%s%N)
"$WARMUP" run --headless --format jsonl --speed 50 routines/quick.yaml >"$TMP/e.jsonl"
rc=$?
end=$(date +%s%N)
check "--speed 50 exits 0" test "$rc" -eq 0
check "--speed 50 ends within 5% of plan/50" $PY - "$TMP/e.jsonl" "$start" "$end" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert all("wall_ms" in e for e in ev), "wall_ms on every real-time line"
total = ev[0]["total_ms"] / 50.0
took = (int(sys.argv[3]) - int(sys.argv[2])) / 1e6
assert total <= took <= total * 1.05, (took, total)
for e in ev:
    assert e["wall_ms"] * 50 + 50 >= e["t"], ("early", e)
PYEOF

# Signals end the session cleanly.
for sig in INT TERM HUP; do
	"$WARMUP" run --headless --format jsonl --speed 10 routines/quick.yaml >"$TMP/sig.jsonl" 2>"$TMP/err" &
	pid=$!
	i=0
	while ! grep -q '"phase":"work"' "$TMP/sig.jsonl" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	kill -$sig $pid
	wait $pid
	rc=$?
	case $sig in INT) want=130 ;; TERM) want=143 ;; HUP) want=129 ;; esac
	check "SIG$sig exits $want" test "$rc" -eq "$want"
	check "SIG$sig ends with session_end interrupted" sh -c "tail -n 1 '$TMP/sig.jsonl' | grep -q '\"event\":\"session_end\",\"status\":\"interrupted\"'"
done

# Ctrl-Z in a headless run: paused, stopped, and on fg it carries on. The
# run gets a process group of its own under a parent that stays, as a job of
# an interactive shell would; in an orphaned group (a CI runner's) the
# kernel discards a terminal stop signal, so the test would prove nothing.
rm -f "$TMP/tstp.pid"
$PY -c 'import os, subprocess, sys
p = subprocess.Popen(sys.argv[2:], preexec_fn=os.setpgrp)
open(sys.argv[1], "w").write(str(p.pid))
sys.exit(p.wait())' "$TMP/tstp.pid" "$WARMUP" run --headless --format jsonl --speed 10 --no-history routines/quick.yaml >"$TMP/tstp.jsonl" 2>&1 &
wrapper=$!
i=0
while [ ! -s "$TMP/tstp.pid" ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
pid=$(cat "$TMP/tstp.pid")
i=0
while ! grep -q '"phase":"work"' "$TMP/tstp.jsonl" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -TSTP $pid
i=0
while [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/$pid/status 2>/dev/null)" != T ] && [ $i -lt 100 ]; do sleep 0.02; i=$((i + 1)); done
state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' /proc/$pid/status)
check "SIGTSTP stops a headless run" test "$state" = T
check "the stop is logged as a pause" grep -q '"event":"pause"' "$TMP/tstp.jsonl"
sleep 0.5
kill -CONT $pid
wait $wrapper
rc=$?
check "after SIGCONT the run resumes and completes" sh -c "[ $rc -eq 0 ] && grep -q '\"event\":\"resume\"' '$TMP/tstp.jsonl' && tail -n 1 '$TMP/tstp.jsonl' | grep -q '\"status\":\"completed\"'"
check "the stopped time counts as paused, not as missed cues" $PY - "$TMP/tstp.jsonl" <<'PYEOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
p = next(e for e in ev if e["event"] == "pause"); r = next(e for e in ev if e["event"] == "resume")
assert r["t"] - p["t"] >= 4000, (p, r)          # 0.5 s stopped at speed 10
end = ev[-1]
assert end["elapsed_ms"] - (r["t"] - p["t"]) >= end["work_ms"], end
PYEOF

# An unknown terminal type falls back to headless text instead of failing.
TERM=no-such-terminal script -qec "$WARMUP run --instant --no-history routines/quick.yaml" /dev/null >"$TMP/out" 2>&1
check "an unknown TERM falls back to headless with a notice" sh -c "grep -q \"cannot drive terminal type 'no-such-terminal'; running headless\" '$TMP/out' && grep -q 'Session completed' '$TMP/out'"

# A closed pipe ends quietly.
( "$WARMUP" run --headless --format jsonl --speed 100 routines/quick.yaml 2>"$TMP/pipe.err"; echo $? >"$TMP/pipe.rc" ) | head -n 1 >/dev/null
rc=$(cat "$TMP/pipe.rc")
check "output into a closed pipe exits 74 (or 141)" sh -c "[ $rc -eq 74 ] || [ $rc -eq 141 ]"
check "a closed pipe prints no error" test ! -s "$TMP/pipe.err"

# Nothing from a routine reaches the output raw. The loader may reject
# control characters (then the error must not echo them raw either).
esc=$(printf '\033')
csi=$(printf '\302\233')
cat >"$TMP/esc.yaml" <<YAML
name: "Evil \e[31m name"
description: "\e]0;title\a"
linger_text: "keep \e[2J moving"
drills:
  - name: "Drill \e[1m"
    duration: 10s
    cue: "cue \u009b31m"
    movement: { steps: ["step \e[5m"] }
    prompts: [ { text: "prompt \x07", at: 2s } ]
    equipment: { ball: "ball \e[0m" }
YAML
for mode in "validate" "show" "show --format json" "run --headless --instant" "run --headless --instant --format jsonl"; do
	# shellcheck disable=SC2086
	"$WARMUP" $mode "$TMP/esc.yaml" >"$TMP/out" 2>"$TMP/err"
	check "no raw escape in stdout or stderr: $mode" sh -c "! grep -q '$esc' '$TMP/out' '$TMP/err' && ! grep -q '$csi' '$TMP/out' '$TMP/err'"
done
printf 'name: "x\\e[31m"\ndrils: []\n' >"$TMP/esc2.yaml"
"$WARMUP" validate "$TMP/esc2.yaml" >"$TMP/out" 2>"$TMP/err"
check "error messages show control characters visibly" sh -c "! grep -q '$esc' '$TMP/err'"

done_testing
