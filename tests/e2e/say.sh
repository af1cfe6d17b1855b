# End-to-end tests of spoken cues (run --say) and event hooks (run --on-event)
# through the real binary, with small scripts standing in for espeak-ng and
# for a user's hook, so nothing needs to be installed.
. tests/e2e/lib.sh
PY=/usr/bin/python3
export WARMUP_NO_HISTORY=1

# A speaker that records its arguments, one bracketed word each, a line per run.
cat >"$TMP/rec" <<EOF
#!/bin/sh
for a; do printf '[%s]' "\$a"; done >>"$TMP/said"
echo >>"$TMP/said"
EOF
# A speaker that takes 5 s, as a long sentence would; it notes its pid first
# (exec keeps it), so we can tell whether it outlived the session.
cat >"$TMP/slow" <<EOF
#!/bin/sh
echo \$\$ >>"$TMP/slow.pids"
printf '%s\n' "\$1" >>"$TMP/slow.said"
exec sleep 5
EOF
# A hook that records its event name and its standard input in one write.
cat >"$TMP/hook" <<EOF
#!/bin/sh
line=\$(cat)
printf '%s\t%s\n' "\$WARMUP_EVENT" "\$line" >>"$TMP/hooked"
EOF
chmod +x "$TMP/rec" "$TMP/slow" "$TMP/hook"

# The exact utterances of the bundled pre-run routine, in order. WARMUP_SAY
# is split into words; the text arrives as one last argument.
WARMUP_SAY="$TMP/rec --voice 'en gb'" "$WARMUP" run --headless --format jsonl --say --speed 50 \
	routines/pre-run.yaml >"$TMP/say.jsonl" 2>"$TMP/say.err"
check "--say run exits 0" test $? -eq 0
check "--say run prints no warning" test ! -s "$TMP/say.err"
side() { # drill, side, movement or ""
	printf '[--voice][en gb][%s, %s side, forty-five seconds.%s]\n' "$1" "$2" "${3:+ $3.}"
}
bout_end() { # the prompt of the drill
	cat <<EOF
[--voice][en gb][Don't linger on tender spots, keep moving.]
[--voice][en gb][$1]
[--voice][en gb][Don't linger on tender spots, keep moving.]
[--voice][en gb][Three.]
[--voice][en gb][Two.]
[--voice][en gb][One.]
EOF
}
{
	echo "[--voice][en gb][Get ready. First: Calf and Achilles tendon.]"
	side "Calf and Achilles tendon" left "Roll up toward the knee"
	bout_end "Point and flex the foot as you roll."
	echo "[--voice][en gb][Switch sides.]"
	side "Calf and Achilles tendon" right ""
	bout_end "Point and flex the foot as you roll."
	echo "[--voice][en gb][Rest. Next: Outer thigh, knee bending.]"
	side "Outer thigh, knee bending" left "Bend the knee"
	bout_end "Shift a little forward and back to reach the whole outer thigh."
	echo "[--voice][en gb][Switch sides.]"
	side "Outer thigh, knee bending" right ""
	bout_end "Shift a little forward and back to reach the whole outer thigh."
	echo "[--voice][en gb][Rest. Next: Front of thigh, knee bending.]"
	side "Front of thigh, knee bending" left "Bend the knee up"
	bout_end "Keep your trunk braced, don't sag."
	echo "[--voice][en gb][Switch sides.]"
	side "Front of thigh, knee bending" right ""
	bout_end "Keep your trunk braced, don't sag."
	echo "[--voice][en gb][Session complete.]"
} >"$TMP/want"
if cmp -s "$TMP/want" "$TMP/said"; then ok "pre-run: the exact utterances, in order"; else
	fail "pre-run: the exact utterances, in order" "$(diff "$TMP/want" "$TMP/said" | head -n 20)"
fi

# --instant is a dry run: nothing is spoken.
rm -f "$TMP/said"
WARMUP_SAY="$TMP/rec" "$WARMUP" run --headless --instant --say routines/pre-run.yaml >/dev/null 2>"$TMP/err"
check "--instant --say exits 0 and speaks nothing" sh -c "[ $? -eq 0 ] && [ ! -e '$TMP/said' ] && [ ! -s '$TMP/err' ]"

# Routine text never reaches a shell: metacharacters arrive as they are.
cat >"$TMP/shell.yaml" <<'YAML'
name: Shell
lead_in: 0s
drills:
  - name: "Calf $(touch pwned) `touch pwned2`; rm -rf x | y > z"
    duration: 5s
YAML
rm -f "$TMP/said"
(cd "$TMP" && WARMUP_SAY="$TMP/rec" "$WARMUP" run --headless --say --speed 100 shell.yaml >/dev/null 2>&1)
check "shell metacharacters in routine text are spoken literally" \
	grep -qxF '[Calf $(touch pwned) `touch pwned2`; rm -rf x | y > z, five seconds.]' "$TMP/said"
check "and nothing was run" sh -c "[ ! -e '$TMP/pwned' ] && [ ! -e '$TMP/pwned2' ]"

# A slow speaker does not move any event: lateness (wall_ms * speed - t)
# stays what it is without speech. A monitor samples the children of the
# running warmup through /proc every few ms: they never pile up, a speaker
# cut short is reaped at the next turn of the loop (never a zombie for long;
# at speed 50 a turn comes at least every 140 ms), and after session_end
# only the last speaker remains, alive, until the 2 s wait ends.
"$WARMUP" run --headless --format jsonl --speed 50 routines/pre-run.yaml >"$TMP/base.jsonl"
WARMUP_SAY="$TMP/slow" $PY - "$WARMUP" "$TMP" >"$TMP/monitor" 2>&1 <<'PYEOF'
import json, os, subprocess, sys, time
warmup, tmp = sys.argv[1], sys.argv[2]
out = open(tmp + "/slow.jsonl", "w")
err = open(tmp + "/slow.err", "w")
start = time.monotonic()
p = subprocess.Popen([warmup, "run", "--headless", "--format", "jsonl", "--say", "--speed", "50",
                      "routines/pre-run.yaml"], stdout=out, stderr=err)
def children():
    try:
        kids = open("/proc/%d/task/%d/children" % (p.pid, p.pid)).read().split()
    except OSError:
        return {}
    states = {}
    for k in kids:
        try:
            states[k] = open("/proc/%s/stat" % k).read().rsplit(")", 1)[1].split()[0]
        except OSError:
            pass
    return states
zombie_since, longest_zombie, most, at_end = {}, 0.0, 0, None
while p.poll() is None:
    now = time.monotonic()
    kids = children()
    most = max(most, len(kids))
    for k, st in kids.items():
        if st == "Z":
            zombie_since.setdefault(k, now)
            longest_zombie = max(longest_zombie, now - zombie_since[k])
    if at_end is None and '"event":"session_end"' in open(tmp + "/slow.jsonl").read():
        time.sleep(0.5)
        at_end = sorted(children().values())
    time.sleep(0.003)
took = time.monotonic() - start
print("rc", p.returncode)
print("took_ms", int(took * 1000))
print("most_children", most)
print("longest_zombie_ms", int(longest_zombie * 1000))
print("at_end", "".join(at_end or ["-"]))
PYEOF
val() { sed -n "s/^$1 //p" "$TMP/monitor"; }
check "slow speaker: exits 0 without a warning" sh -c "[ '$(val rc)' = 0 ] && [ ! -s '$TMP/slow.err' ]"
check "slow speaker: no event later than without speech" $PY - "$TMP/base.jsonl" "$TMP/slow.jsonl" <<'PYEOF'
import json, sys
def late(f):
    ev = [json.loads(l) for l in open(f)]
    return ev, max(e["wall_ms"] * 50 - e["t"] for e in ev)
base, b = late(sys.argv[1])
slow, s = late(sys.argv[2])
assert [e["t"] for e in base] == [e["t"] for e in slow], "the same events"
# 1000 ms of timeline is 20 ms of real time: room for a loaded machine,
# and far below the 5 s a speaker that was waited for would add.
assert s <= b + 1000, ("late", s, b)
PYEOF
check "slow speaker: every utterance was started" test "$(wc -l <"$TMP/slow.said")" -eq "$(wc -l <"$TMP/want")"
check "slow speaker: the end waits at most 2 s for the last words ($(val took_ms) ms)" \
	test "$(val took_ms)" -le $((310000 / 50 + 2000 + 1500))
check "children never pile up ($(val most_children) at most)" test "$(val most_children)" -le 3
check "a speaker cut short is reaped within a turn ($(val longest_zombie_ms) ms a zombie)" \
	test "$(val longest_zombie_ms)" -lt 500
check "after session_end only the last speaker remains, alive ($(val at_end))" test "$(val at_end)" = S
left=0
for p in $(cat "$TMP/slow.pids"); do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
check "no speaker outlives the session" test "$left" -eq 0

# A signal ends the session at once, speech and all.
rm -f "$TMP/slow.pids"
WARMUP_SAY="$TMP/slow" "$WARMUP" run --headless --format jsonl --say --speed 10 routines/quick.yaml >"$TMP/sig.jsonl" 2>&1 &
pid=$!
i=0
while ! grep -q '"phase":"work"' "$TMP/sig.jsonl" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
start=$(date +%s%N)
kill -INT $pid
wait $pid
rc=$?
end=$(date +%s%N)
check "SIGINT with a speaker running exits 130 within a second" sh -c "[ $rc -eq 130 ] && [ $(((end - start) / 1000000)) -lt 1000 ]"
sleep 0.1
left=0
for p in $(cat "$TMP/slow.pids"); do kill -0 "$p" 2>/dev/null && left=$((left + 1)); done
check "SIGINT: no speaker left running" test "$left" -eq 0

# No speech program: one warning, and the session runs silently.
mkdir -p "$TMP/empty"
env -u WARMUP_SAY PATH="$TMP/empty" "$WARMUP" run --headless --say --speed 100 routines/quick.yaml >"$TMP/out" 2>"$TMP/err"
check "no speech program: exit 0" test $? -eq 0
check "no speech program: exactly one warning line" sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q '^warmup: warning: --say: no speech program found.*espeak-ng' '$TMP/err'"
check "no speech program: the session still ran" grep -q '^Summary: 3 of 3 drills completed' "$TMP/out"
WARMUP_SAY="$TMP/no-such-speaker -v en" "$WARMUP" run --headless --say --speed 100 routines/quick.yaml >/dev/null 2>"$TMP/err"
check "WARMUP_SAY naming a missing program: one warning, exit 0" \
	sh -c "[ $? -eq 0 ] && [ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q 'no-such-speaker' '$TMP/err'"
# (A speaker that fails on every utterance is one warning too.)
printf '#!/bin/sh\nexit 3\n' >"$TMP/bad-speaker"
chmod +x "$TMP/bad-speaker"
WARMUP_SAY="$TMP/bad-speaker" "$WARMUP" run --headless --say --speed 100 routines/quick.yaml >/dev/null 2>"$TMP/err"
check "a failing speaker gives one warning" \
	sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -q \"speech program '.*bad-speaker' exited with status 3\" '$TMP/err'"

# --on-event: every event's JSON line, exactly as --format jsonl prints it,
# on the hook's stdin, and its name in WARMUP_EVENT.
rm -f "$TMP/hooked"
"$WARMUP" run --headless --format jsonl --speed 100 --on-event "$TMP/hook" routines/quick.yaml >"$TMP/ev.jsonl" 2>"$TMP/err"
check "--on-event run exits 0 without a warning" sh -c "[ $? -eq 0 ] && [ ! -s '$TMP/err' ]"
check "--on-event: each event's JSON line, once, with WARMUP_EVENT" $PY - "$TMP/ev.jsonl" "$TMP/hooked" <<'PYEOF'
import json, sys
out = open(sys.argv[1]).read().splitlines()
hooked = open(sys.argv[2]).read().splitlines()
assert len(hooked) == len(out), (len(hooked), len(out))
got = []
for h in hooked:
    name, line = h.split("\t", 1)
    e = json.loads(line)
    assert e["event"] == name, (name, e)
    assert "wall_ms" in e
    got.append(line)
# Hooks run side by side, so they may finish in any order.
assert sorted(got) == sorted(out), "the same lines as the headless output"
kinds = [json.loads(l)["event"] for l in out]
assert kinds[0] == "session_start" and kinds[-1] == "session_end"
assert {"phase_start", "phase_end", "cue", "countdown"} <= set(kinds)
PYEOF
rm -f "$TMP/hooked"
"$WARMUP" run --headless --instant --on-event "$TMP/hook" routines/quick.yaml >/dev/null 2>&1
check "--instant runs no hook" test ! -e "$TMP/hooked"

# A hook's output never mixes with JSON Lines on stdout.
"$WARMUP" run --headless --format jsonl --speed 100 --on-event "echo noise" routines/quick.yaml >"$TMP/ev.jsonl" 2>"$TMP/err"
check "hook output goes to stderr, not into the JSON Lines" \
	sh -c "! grep -q noise '$TMP/ev.jsonl' && grep -q noise '$TMP/err'"

# A failing hook: one warning for the whole session, not one per event.
"$WARMUP" run --headless --speed 100 --on-event 'sh -c "cat >/dev/null; exit 1"' routines/quick.yaml >"$TMP/out" 2>"$TMP/err"
check "failing hook: the session still completes, exit 0" sh -c "[ $? -eq 0 ] && grep -q '^Summary: 3 of 3' '$TMP/out'"
check "failing hook: exactly one warning" \
	sh -c "[ \$(wc -l <'$TMP/err') -eq 1 ] && grep -qx \"warmup: warning: --on-event command 'sh' exited with status 1\" '$TMP/err'"

# A missing hook program: one clear error before the session, exit 64.
expect_exit "missing hook program exits 64" 64 "$WARMUP" run --headless --speed 100 --on-event "no-such-hook-program --flag" routines/quick.yaml
check "missing hook: one error naming it, before anything runs" \
	sh -c "grep -qx \"warmup: --on-event: cannot run 'no-such-hook-program': not found on PATH\" '$TMP/err' && [ \$(grep -c 'no-such-hook' '$TMP/err') -eq 1 ] && [ ! -s '$TMP/out' ]"
expect_exit "a hook path that does not exist exits 64" 64 "$WARMUP" run --headless --instant --on-event "$TMP/nope" routines/quick.yaml
expect_exit "an unclosed quote in --on-event exits 64" 64 "$WARMUP" run --headless --instant --on-event "say 'hi" routines/quick.yaml
check "unclosed quote: says so" grep -q 'quote is not closed' "$TMP/err"
expect_exit "an empty --on-event exits 64" 64 "$WARMUP" run --headless --instant --on-event " " routines/quick.yaml

# Help and completion know the options.
"$WARMUP" help run >"$TMP/out"
check "help run lists --say and --on-event" sh -c "grep -q -- '--say' '$TMP/out' && grep -q -- '--on-event CMD' '$TMP/out'"
check "bash completion offers --say and --on-event" sh -c "grep -q -- '--say' completions/warmup.bash && grep -q -- '--on-event' completions/warmup.bash"

# A speaker that ends while the session is paused is reaped at once (the
# child's SIGCHLD wakes the loop), not left a zombie until the next key.
printf '#!/bin/sh\nsleep 0.2\n' >"$TMP/brief"
chmod +x "$TMP/brief"
mkfifo "$TMP/cmds"
WARMUP_SAY="$TMP/brief" "$WARMUP" run --headless --say --speed 1 routines/quick.yaml <"$TMP/cmds" >"$TMP/out" 2>&1 &
pid=$!
exec 9>"$TMP/cmds"
sleep 0.5
echo pause >&9
sleep 1.2
zombies=$(for c in $(cat /proc/$pid/task/*/children 2>/dev/null); do
	sed -n 's/^State:[[:space:]]*Z.*/Z/p' /proc/$c/status 2>/dev/null; done | wc -l)
echo stop >&9
exec 9>&-
wait $pid
rc=$?
check "a speaker that finished during a pause is reaped at once (no zombie)" test "$zombies" -eq 0
check "the paused run then stops cleanly" test "$rc" -eq 0

done_testing
