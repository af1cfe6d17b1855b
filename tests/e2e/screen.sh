#!/bin/sh
# The full-screen session, driven through tmux: what a runner sees and the
# keys they press, resizing, and the terminal left usable afterwards.
# Every wait polls the screen against a deadline; nothing sleeps long.
. tests/e2e/lib.sh

if ! command -v tmux >/dev/null 2>&1; then
	fail "tmux is installed (make deps installs it)"
	done_testing
	exit 1
fi

SOCK=warmup-test-$$
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1; rm -rf "$TMP"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR

# Timeline: lead-in 0-10, left 10-70, switch 70-75, right 75-135, rest
# 135-140, front thigh 140-170. At --speed 4 that is 42.5 s of real time,
# but the keys below skip most of it.
SPEED=4
cat >"$TMP/routine.yaml" <<'EOF'
name: Screen test routine
lead_in: 10s
switch: 5s
rest: 5s
linger_every: 0
linger_text: Do not linger, keep moving
drills:
  - name: Calf raise roll
    duration: 60s
    sides: [left, right]
    cue: Keep the roller moving from ankle to knee.
    movement:
      steps: [Roll up, Roll down]
      every: 2s
  - name: "Front thigh \u202e bidi"
    duration: 30s
    cue: "Face down,\tknee bending."
EOF

now() { date +%s; }

capture() { tm capture-pane -p -t w >"$TMP/screen" 2>/dev/null; }

# wait_for EXTENDED-REGEX [SECONDS]: polls the screen until a line matches.
wait_for() {
	_end=$(($(now) + ${2:-5}))
	while :; do
		capture
		grep -Eq -- "$1" "$TMP/screen" && return 0
		[ "$(now)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

# wait_gone EXTENDED-REGEX [SECONDS]: polls until no line matches.
wait_gone() {
	_end=$(($(now) + ${2:-5}))
	while :; do
		capture
		grep -Eq -- "$1" "$TMP/screen" || return 0
		[ "$(now)" -ge "$_end" ] && return 1
		sleep 0.05
	done
}

# The countdown on the last capture, in seconds: the big block digits
# decoded pixel by pixel (the font as tests/unit/test_bigfont.c knows it),
# or else a plain M:SS line. Prints nothing when there is none.
countdown() {
	sed 's/\xe2\x96\x88/#/g' "$TMP/screen" | awk '
	BEGIN {
		font["###" "#.#" "#.#" "#.#" "###"] = 0
		font[".#." "##." ".#." ".#." "###"] = 1
		font["###" "..#" "###" "#.." "###"] = 2
		font["###" "..#" "###" "..#" "###"] = 3
		font["#.#" "#.#" "###" "..#" "..#"] = 4
		font["###" "#.." "###" "..#" "###"] = 5
		font["###" "#.." "###" "#.#" "###"] = 6
		font["###" "..#" "..#" "..#" "..#"] = 7
		font["###" "#.#" "###" "#.#" "###"] = 8
		font["###" "#.#" "###" "..#" "###"] = 9
	}
	{ line[NR] = $0 }
	END {
		for (r = 1; r <= NR && !index(line[r], "##"); r++)
			;
		if (r <= NR) {
			for (h = 0; r + h <= NR && index(line[r + h], "#"); h++)
				;
			if (h % 5 == 0 && big(r, h / 5))
				exit 0
		}
		for (r = 1; r <= NR; r++)
			if (match(line[r], /^ +[0-9]+:[0-9][0-9]( |$)/)) {
				split(substr(line[r], RSTART, RLENGTH), t, ":")
				print t[1] * 60 + t[2]
				exit 0
			}
	}
	function big(top, s,    x0, x1, y, x, p, pw, n, col, ink, px, g, v, digits) {
		x0 = 100000; x1 = 0
		for (y = 0; y < 5 * s; y++)
			for (x = 1; x <= length(line[top + y]); x++)
				if (substr(line[top + y], x, 1) == "#") {
					if (x < x0) x0 = x
					if (x > x1) x1 = x
				}
		pw = 2 * s
		n = int((x1 - x0 + 1) / pw)
		for (px = 0; px < n; px++) {
			ink[px] = 0
			for (y = 0; y < 5; y++) {
				p[y, px] = substr(line[top + y * s], x0 + px * pw, 1) == "#" ? "#" : "."
				if (p[y, px] == "#") ink[px] = 1
			}
		}
		digits = ""
		for (px = 0; px < n; px++) {
			if (!ink[px]) continue
			for (g = px; g < n && ink[g]; g++)
				;
			if (g - px == 3) {
				v = ""
				for (y = 0; y < 5; y++) v = v p[y, px] p[y, px + 1] p[y, px + 2]
				if (!(v in font)) return 0
				digits = digits font[v]
			} else if (g - px == 1) {
				digits = digits ":"
			} else {
				return 0
			}
			px = g
		}
		if (split(digits, t, ":") != 2) return 0
		print t[1] * 60 + t[2]
		return 1
	}'
}

screen_dump() { sed 's/^/|/' "$TMP/screen"; }

# An interactive shell in the pane, so the prompt coming back can be seen.
tm new-session -d -s w -x 80 -y 24 "env PS1='PROMPT\$ ' sh"
wait_for '^PROMPT\$' 5 || { fail "tmux starts a shell" "$(screen_dump)"; done_testing; exit 1; }
# What the program writes to the terminal, raw, to look for the bell.
tm pipe-pane -t w "cat >'$TMP/raw-bell'"
tm send-keys -t w "\"$WARMUP\" run --speed $SPEED \"$TMP/routine.yaml\"; echo \"exit=\$?\"" Enter

# --- The first screen --------------------------------------------------------
if wait_for 'GET READY' 5 && grep -q 'Screen test routine' "$TMP/screen"; then
	c=$(countdown)
	if [ -n "$c" ] && [ "$c" -ge 1 ] && [ "$c" -le 10 ]; then
		ok "first screen: routine name, GET READY and a big countdown ($c s)"
	else
		fail "first screen shows a countdown from the lead-in" "decoded: '$c'" "$(screen_dump)"
	fi
else
	fail "first screen shows the routine name and GET READY" "$(screen_dump)"
fi
if grep -q 'Drill 1 of 2' "$TMP/screen" && grep -q 'Next: Calf raise roll — left' "$TMP/screen"; then
	ok "header counts drills; Next names the drill and side"
else
	fail "header counts drills; Next names the drill and side" "$(screen_dump)"
fi

# --- Work: name, side, countdown going down, movement track ------------------
if wait_for 'CALF RAISE ROLL — LEFT' 6; then
	c1=$(countdown)
	sleep 0.6
	capture
	c2=$(countdown)
	if [ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -lt "$c1" ] && [ "$c1" -le 60 ]; then
		ok "work phase: drill and side in capitals, countdown going down ($c1 -> $c2)"
	else
		fail "work phase countdown goes down" "c1='$c1' c2='$c2'" "$(screen_dump)"
	fi
	if grep -q '●' "$TMP/screen" && grep -Eq '[←→] Roll (up|down)' "$TMP/screen" &&
	   grep -q 'Keep the roller moving from ankle to knee.' "$TMP/screen"; then
		ok "work phase: cue, movement track and step text"
	else
		fail "work phase shows the cue, the movement track and the step" "$(screen_dump)"
	fi
else
	fail "the first drill starts with its side" "$(screen_dump)"
fi

# --- Pause holds the countdown --------------------------------------------------
tm send-keys -t w space
if wait_for 'PAUSED' 2; then
	p1=$(countdown)
	sleep 1
	capture
	p2=$(countdown)
	if [ -n "$p1" ] && [ "$p1" = "$p2" ] && grep -q PAUSED "$TMP/screen"; then
		ok "space pauses: PAUSED shown, countdown holds at $p1 across two captures"
	else
		fail "space pauses and the countdown holds" "p1='$p1' p2='$p2'" "$(screen_dump)"
	fi
else
	fail "space shows PAUSED" "$(screen_dump)"
fi
tm send-keys -t w space
if wait_gone 'PAUSED' 2; then ok "space again resumes"; else fail "space again resumes" "$(screen_dump)"; fi

# --- + adds 10 s --------------------------------------------------------------
capture
b=$(countdown)
tm send-keys -t w +
a=$b
_end=$(($(now) + 2))
while [ -n "$b" ] && [ "$(now)" -lt "$_end" ]; do
	capture
	a=$(countdown)
	[ -n "$a" ] && [ "$a" -gt "$b" ] && break
	sleep 0.05
done
if [ -n "$b" ] && [ -n "$a" ] && [ $((a - b)) -ge 7 ] && [ $((a - b)) -le 10 ]; then
	ok "+ adds 10 s ($b -> $a)"
else
	fail "+ adds 10 s" "before='$b' after='$a'" "$(screen_dump)"
fi

# --- n skips: the switch comes long before the bout would end ----------------
tm send-keys -t w n
if wait_for 'SWITCH SIDES' 1; then
	ok "n skips to the next phase at once"
else
	fail "n skips to the next phase at once" "$(screen_dump)"
fi
if wait_for 'CALF RAISE ROLL — RIGHT' 4; then ok "after the switch: the right side"; else
	fail "after the switch: the right side" "$(screen_dump)"
fi

# --- t marks a tender spot: the don't-linger prompt shows at once -----------
tm send-keys -t w t
if wait_for 'Do not linger, keep moving' 1; then ok "t shows the don't-linger prompt at once"; else
	fail "t shows the don't-linger prompt at once" "$(screen_dump)"
fi
if tm capture-pane -e -p -t w | grep 'Do not linger' | grep -Eq "$(printf '\033')\\[([0-9]+;)*7(;[0-9]+)*m"; then
	ok "the prompt is highlighted"
else
	fail "the prompt is highlighted" "$(tm capture-pane -e -p -t w | grep 'Do not linger' | od -c | head)"
fi
t0=$(now)
_end=$((t0 + 5))
while tm capture-pane -e -p -t w | grep 'Do not linger' | grep -Eq "$(printf '\033')\\[([0-9]+;)*7(;[0-9]+)*m" &&
      [ "$(now)" -lt "$_end" ]; do
	sleep 0.1
done
if [ $(($(now) - t0)) -ge 2 ] && [ $(($(now) - t0)) -le 4 ] && wait_for 'Do not linger' 0; then
	ok "the highlight goes after about 3 s of real time; the text stays"
else
	fail "the highlight goes after about 3 s" "$(($(now) - t0)) s" "$(screen_dump)"
fi
if tm capture-pane -e -p -t w | grep -q "$(printf '\033')\[3[0-7]m"; then ok "colour by default"; else
	fail "colour by default" "$(tm capture-pane -e -p -t w | od -c | head)"
fi

# --- ? shows the keys, any key closes them -----------------------------------
tm send-keys -t w '?'
if wait_for 'n, Right +skip to the next phase' 1 && grep -q 'Any key closes this help' "$TMP/screen"; then
	ok "? shows the key help from the key table"
else
	fail "? shows the key help" "$(screen_dump)"
fi
tm send-keys -t w x
if wait_gone 'Any key closes' 1; then ok "any key closes the help"; else fail "any key closes the help" "$(screen_dump)"; fi

# --- Resizing -----------------------------------------------------------------
tm resize-window -t w -x 40 -y 12
if wait_for '^ +[0-9]+:[0-9][0-9]( |$)' 2 && grep -q 'CALF RAISE ROLL — RIGHT' "$TMP/screen" &&
   grep -q '^ *Next: ' "$TMP/screen" && grep -q '? help' "$TMP/screen" &&
   grep -q 'Screen test' "$TMP/screen"; then
	ok "40x12: header, phase, plain countdown, next and keys"
else
	fail "40x12 lays out header, phase, plain countdown, next and keys" "$(screen_dump)"
fi
tm resize-window -t w -x 20 -y 6
if wait_for '^ +[0-9]+:[0-9][0-9]( |$)' 2 && grep -q '— RIGHT' "$TMP/screen" &&
   [ "$(wc -l <"$TMP/screen")" -le 6 ]; then
	ok "20x6: the phase (side kept) and the countdown stay"
else
	fail "20x6 keeps the phase and the countdown" "$(screen_dump)"
fi
small=$(countdown)
tm resize-window -t w -x 10 -y 3
if wait_for 'Enlarge' 2; then ok "10x3: asks for a larger terminal"; else
	fail "10x3 asks for a larger terminal" "$(screen_dump)"
fi
sleep 1
tm resize-window -t w -x 80 -y 24
# The timer ran on while the screen was too small: a second of real time
# is 4 s of the session.
if wait_for 'CALF RAISE ROLL — RIGHT' 2 && big=$(countdown) && [ -n "$small" ] && [ -n "$big" ] &&
   [ "$big" -le $((small - 3)) ]; then
	ok "back to 80x24: big digits again, the timer ran on meanwhile ($small -> $big)"
else
	fail "back to 80x24 the timer ran on" "before='$small' after='${big:-}'" "$(screen_dump)"
fi
tm send-keys -t w Right
if wait_for '^ +REST$' 1; then ok "Right skips too"; else fail "Right skips too" "$(screen_dump)"; fi
if wait_for 'FRONT THIGH' 4; then
	if grep -q 'FRONT THIGH � BIDI' "$TMP/screen" && grep -q 'Face down, knee bending.' "$TMP/screen"; then
		ok "routine text is sanitised: bidi override shown as U+FFFD, tab as a space"
	else
		fail "routine text is sanitised" "$(screen_dump)"
	fi
else
	fail "the second drill starts" "$(screen_dump)"
fi

# --- q asks; n keeps going; q y stops ------------------------------------------
tm send-keys -t w q
if wait_for 'Stop the session\? y/n' 2; then ok "q asks before stopping"; else
	fail "q asks before stopping" "$(screen_dump)"
fi
tm send-keys -t w n
if wait_gone 'Stop the session' 2 && grep -q 'FRONT THIGH' "$TMP/screen"; then
	ok "any other answer keeps the session going"
else
	fail "any other answer keeps the session going" "$(screen_dump)"
fi
tm send-keys -t w q
wait_for 'Stop the session\? y/n' 2
tm send-keys -t w y
if wait_for '^exit=0$' 3 && grep -q '^Screen test routine: session stopped after' "$TMP/screen" &&
   grep -q '^Drills done: 0 of 2\. Phases skipped: [0-9]*\.$' "$TMP/screen" &&
   grep -q '^Tender spots marked: Calf raise roll, right: 1\.$' "$TMP/screen"; then
	ok "q y exits 0 and prints the summary"
else
	fail "q y exits 0 and prints the summary" "$(screen_dump)"
fi
tm pipe-pane -t w
bells=$(tr -dc '\007' <"$TMP/raw-bell" | wc -c)
if [ "$bells" -ge 3 ]; then ok "the bell rings ($bells times)"; else
	fail "the bell rings at phase starts and 3-2-1" "$(od -c "$TMP/raw-bell" | tail -3)"
fi
tm send-keys -t w 'echo typed-$((6*7))' Enter
if wait_for '^typed-42$' 2 && grep -q '^PROMPT\$ echo typed-\$((6\*7))' "$TMP/screen"; then
	ok "the shell is back and echoes what is typed"
else
	fail "the shell is back and echoes what is typed" "$(screen_dump)"
fi

# --- Ctrl-Z: terminal back to the shell; fg: redrawn and still paused -------
tm send-keys -t w clear Enter
tm pipe-pane -t w "cat >'$TMP/raw-quiet'"
tm send-keys -t w "\"$WARMUP\" run --no-bell --speed $SPEED \"$TMP/routine.yaml\"" Enter
if wait_for 'GET READY' 5; then
	tm send-keys -t w C-z
	if wait_for 'Stopped' 2 && ! grep -q 'GET READY' "$TMP/screen"; then
		ok "Ctrl-Z gives the terminal back"
	else
		fail "Ctrl-Z gives the terminal back" "$(screen_dump)"
	fi
	sleep 0.5
	tm send-keys -t w fg Enter
	if wait_for 'PAUSED' 2 && grep -q 'GET READY' "$TMP/screen"; then
		z1=$(countdown)
		sleep 0.6
		capture
		z2=$(countdown)
		if [ -n "$z1" ] && [ "$z1" = "$z2" ] && [ "$z1" -ge 9 ]; then
			ok "fg redraws, still paused; the stopped time did not count ($z1)"
		else
			fail "fg stays paused at the time of Ctrl-Z" "z1='$z1' z2='$z2'" "$(screen_dump)"
		fi
	else
		fail "fg redraws the screen, paused" "$(screen_dump)"
	fi
	tm send-keys -t w C-c
	if wait_for '^PROMPT\$ *$' 3; then
		tm send-keys -t w 'echo "int=$?"' Enter
		if wait_for '^int=130$' 2 && grep -q 'session interrupted' "$TMP/screen"; then
			ok "Ctrl-C ends the session with 128+2 and a summary"
		else
			fail "Ctrl-C ends the session with 128+2 and a summary" "$(screen_dump)"
		fi
	else
		fail "Ctrl-C ends the resumed session" "$(screen_dump)"
	fi
	tm pipe-pane -t w
	if [ -s "$TMP/raw-quiet" ] && [ "$(tr -dc '\007' <"$TMP/raw-quiet" | wc -c)" -eq 0 ]; then
		ok "--no-bell keeps quiet"
	else
		fail "--no-bell keeps quiet" "$(od -c "$TMP/raw-quiet" | grep -c '\\a') bells"
	fi
else
	fail "a run for Ctrl-Z starts" "$(screen_dump)"
fi

# check_terminal_restored WHEN: the stty -a that the shell wrote after the
# program ended shows canonical mode and echo (waits up to 3 s for it).
check_terminal_restored() {
	_end=$(($(now) + 3))
	while ! grep -q icanon "$TMP/stty" 2>/dev/null && [ "$(now)" -lt "$_end" ]; do sleep 0.05; done
	if grep -Eq '(^| )icanon( |$)' "$TMP/stty" && grep -Eq '(^| )echo( |$)' "$TMP/stty"; then
		ok "$1 the terminal is back in canonical mode with echo"
	else
		fail "$1 the terminal is restored" "$(cat "$TMP/stty" 2>/dev/null)"
	fi
}

# --- SIGTERM restores the terminal ------------------------------------------------
tm send-keys -t w clear Enter
tm send-keys -t w "sh -c 'echo \$\$ >\"$TMP/pid\"; NO_COLOR=1 exec \"$WARMUP\" run \"$TMP/routine.yaml\"'; echo \"rc=\$?\"; stty -a >\"$TMP/stty\"" Enter
if wait_for 'GET READY' 5 && [ -s "$TMP/pid" ]; then
	if tm capture-pane -e -p -t w | grep -q "$(printf '\033')\[3[0-7]m"; then
		fail "NO_COLOR: no colour" "$(tm capture-pane -e -p -t w | od -c | head)"
	else
		ok "NO_COLOR gives a monochrome screen"
	fi
	kill -TERM "$(cat "$TMP/pid")"
	if wait_for '^rc=143$' 3 && grep -q 'session interrupted' "$TMP/screen"; then
		ok "SIGTERM ends the session with 128+15 and a summary"
	else
		fail "SIGTERM ends the session with 128+15 and a summary" "$(screen_dump)"
	fi
	check_terminal_restored "after SIGTERM"
else
	fail "a second run starts" "$(screen_dump)"
fi

# --- A crash restores the terminal too ----------------------------------------------
# Not under the sanitizers: their own report of the deliberate crash would
# rightly fail the sanitizer pass.
[ -n "${WARMUP_SANITIZED:-}" ] && crash_test=false || crash_test=true
if $crash_test; then
rm -f "$TMP/pid" "$TMP/stty"
tm send-keys -t w clear Enter
tm send-keys -t w "sh -c 'ulimit -c 0; echo \$\$ >\"$TMP/pid\"; exec \"$WARMUP\" run --no-history \"$TMP/routine.yaml\"'; echo \"rc=\$?\"; stty -a >\"$TMP/stty\"" Enter
if wait_for 'GET READY' 5 && [ -s "$TMP/pid" ]; then
	kill -SEGV "$(cat "$TMP/pid")"
	check_terminal_restored "after a crash"
	if tm capture-pane -p -t w | grep -q '^rc=139$'; then
		ok "a crash still ends with the crash's own status (128+11)"
	else
		fail "a crash still ends with the crash's own status" "$(tm capture-pane -p -t w)"
	fi
else
	fail "a run for the crash test starts" "$(screen_dump)"
fi
fi

tm kill-server >/dev/null 2>&1
done_testing
