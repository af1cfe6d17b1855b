"""Figure 2: what a session costs while it waits, in a real terminal.

`warmup run` of a generated routine (a 2 s lead-in, then one long work
phase with a two-step movement track every 2 s and the keep-moving prompt
every 15 s) runs in tmux at 80x24, on a private server socket, beside
`tty-clock -s` and `sleep` in sessions of the same server. After the
lead-in, for BENCH_IDLE_SECONDS, we read from /proc:

- CPU: the sum of every thread's run time from /proc/PID/task/*/schedstat
  (nanoseconds; utime + stime from /proc/PID/stat counts in 10 ms ticks
  and is shown beside it as a check);
- wake-ups: how often the threads were put on a CPU (schedstat's third
  field), and voluntary context switches (each sleep that ends is one);
- peak RSS: VmHWM at the end;
- bytes written to the terminal: everything the pane received, through
  `tmux pipe-pane` into a file.

Beside them, outside tmux, `warmup run --headless --format jsonl` of the
same routine at --speed 1 writes its events to a file (stdin /dev/null),
measured over the same window the same way (issue 4: under 0.1% of a core
headless).

In the last run, one more window of BENCH_STRACE_SECONDS runs under
`strace -c -f` to name the system calls behind the wake-ups (ptrace makes
the program slower, so no other figure is taken then).
"""

import os
import re
import signal
import subprocess
import time

from lib import cell, have, proc_sample, table, verdict

HEADLESS = "warmup --headless"


def frame_ms(root):
    """FRAME_MS of src/ui_curses.c: how often the screen wakes for the track."""
    try:
        with open(os.path.join(root, "src", "ui_curses.c")) as f:
            m = re.search(r"\bFRAME_MS\s*=\s*(\d+)", f.read())
        return int(m.group(1)) if m else 100
    except OSError:
        return 100


def tmux(sock, *args, capture=False, env=None):
    r = subprocess.run(["tmux", "-L", sock, "-f", "/dev/null"] + list(args), env=env,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, text=True, check=False)
    return r.stdout if capture else r.returncode


def strace_counts(path):
    """{syscall: calls} from a strace -c summary."""
    counts = {}
    try:
        with open(path) as f:
            for line in f:
                a = line.split()
                if len(a) >= 5 and a[0][0].isdigit() and a[-1] != "total":
                    calls = a[3]
                    if calls.isdigit():
                        counts[a[-1]] = int(calls)
    except OSError:
        pass
    return counts


def one_run(ctx, progs, routine, n, with_strace):
    sock = "bench-%d-%d" % (os.getpid(), n)
    work = ctx["work"]
    res = {}
    headless = None
    try:
        hl_out = os.path.join(work, "idle-headless-%d.jsonl" % n)
        with open(hl_out, "w") as out:
            headless = subprocess.Popen([ctx["warmup"], "run", "--headless", "--format", "jsonl",
                                         "--no-history", "--speed", "1", routine],
                                        stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.DEVNULL, env=ctx["env"])
        for name, cmd in progs:
            if tmux(sock, "new-session", "-d", "-s", name, "-x", "80", "-y", "24",
                    "exec " + cmd, env=ctx["env"]) != 0:
                return None, "tmux could not start %s" % name
        pids = {}
        for name, _ in progs:
            pids[name] = int(tmux(sock, "display-message", "-p", "-t", name, "#{pane_pid}",
                                  capture=True).strip())
        pids[HEADLESS] = headless.pid
        time.sleep(3.5)     # past the 2 s lead-in, into the work phase
        files = {}
        for name, _ in progs:
            files[name] = os.path.join(work, "idle-%s-%d.out" % (name, n))
            open(files[name], "w").close()
            tmux(sock, "pipe-pane", "-t", name, "cat >> '%s'" % files[name])
        time.sleep(0.2)     # let the pipes open
        hl_before = os.path.getsize(hl_out)
        before = {name: proc_sample(pid) for name, pid in pids.items()}
        t0 = time.monotonic()
        time.sleep(ctx["idle_seconds"])
        after = {name: proc_sample(pid) for name, pid in pids.items()}
        secs = time.monotonic() - t0
        hl_bytes = os.path.getsize(hl_out) - hl_before
        for name, _ in progs:
            tmux(sock, "pipe-pane", "-t", name)
        time.sleep(0.2)
        screen = tmux(sock, "capture-pane", "-p", "-t", "warmup", capture=True)
        for name in pids:
            b, a = before[name], after[name]
            res[name] = {
                "cpu_s_min": (a["cpu_ns"] - b["cpu_ns"]) / 1e9 / secs * 60,
                "ticks_s_min": (a["ticks_s"] - b["ticks_s"]) / secs * 60,
                "wake_s": (a["runs"] - b["runs"]) / secs,
                "vcsw_s": (a["vcsw"] - b["vcsw"]) / secs,
                "bytes_s": (hl_bytes if name == HEADLESS else os.path.getsize(files[name])) / secs,
                "hwm_mb": a["hwm_kb"] / 1024,
            }
        res["_screen"] = screen
        if with_strace:
            res["_strace"] = run_strace(ctx, pids, n)
        return res, None
    finally:
        tmux(sock, "kill-server")
        if headless is not None:
            headless.terminate()
            try:
                headless.wait(timeout=5)
            except subprocess.TimeoutExpired:
                headless.kill()
                headless.wait()


def run_strace(ctx, pids, n):
    procs, out = {}, {}
    for name, pid in pids.items():
        path = os.path.join(ctx["work"], "idle-strace-%s-%d.txt" % (name, n))
        procs[name] = (path, subprocess.Popen(["strace", "-c", "-f", "-o", path, "-p", str(pid)],
                                              stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
    time.sleep(ctx["strace_seconds"])
    for name, (path, p) in procs.items():
        p.send_signal(signal.SIGINT)
        p.wait(timeout=10)
        out[name] = {k: v / ctx["strace_seconds"] for k, v in strace_counts(path).items()}
    return out


def run(ctx):
    if not have("tmux"):
        return "## 2. Idle cost in a terminal\n\nNot measured: tmux is not installed."
    secs = ctx["idle_seconds"]
    strace_secs = ctx["strace_seconds"] if have("strace") else 0
    routine = ctx["gen"]("idle", min(600, secs + strace_secs + 15), "idle.yaml")
    progs = [("warmup", "'%s' run '%s'" % (ctx["warmup"], routine))]
    if have("tty-clock"):
        progs.append(("tty-clock", "tty-clock -s"))
    progs.append(("sleep", "sleep 100000"))
    # What waking alone costs on this machine, at warmup's frame rate.
    frame = frame_ms(ctx["root"])
    progs.append(("poll-loop", "/usr/bin/python3 -c 'import select\nwhile True: select.poll().poll(%d)'"
                  % frame))

    runs, notes = [], []
    for i in range(ctx["runs"]):
        res, err = one_run(ctx, progs, routine, i, strace_secs > 0 and i == ctx["runs"] - 1)
        if err:
            notes.append(err)
        elif res:
            runs.append(res)
    if not runs:
        return "## 2. Idle cost in a terminal\n\nNot measured: " + "; ".join(notes)
    ctx["data"]["idle"] = runs

    names = [progs[0][0], HEADLESS] + [name for name, _ in progs[1:]]
    rows = []
    for name in names:
        get = lambda k: [r[name][k] for r in runs]
        cpu = get("cpu_s_min")
        pct = [c / 60 * 100 for c in cpu]
        mine = name in ("warmup", HEADLESS)
        cpu_target = 0.1 if name == HEADLESS else 0.2
        label = ("**%s**" % name) if mine else name + " (reference)"
        if name == HEADLESS:
            label += " (events to a file; target < 0.1%)"
        rows.append([label, cell(cpu, 4), cell(pct, 3),
                     verdict(pct, cpu_target) if mine else "",
                     cell(get("ticks_s_min"), 2),
                     cell(get("bytes_s"), 0),
                     verdict(get("bytes_s"), 1024) if name == "warmup" else "",
                     cell(get("wake_s"), 1), cell(get("vcsw_s"), 1),
                     cell(get("hwm_mb"), 2), verdict(get("hwm_mb"), 4) if mine else ""])
    screen = runs[-1]["_screen"].rstrip("\n")
    in_work = "DRILL 1" in screen
    md = ["## 2. Idle cost in a terminal", "",
          "`warmup run` at 80x24 in tmux (TERM=screen, LANG=C.UTF-8, private socket), during a "
          "work phase with a two-step movement track every 2 s and the keep-moving prompt every "
          "15 s, beside `tty-clock -s`, `sleep` and a bare loop of %d ms `poll()` timeouts in "
          "Python (the cost of waking alone on this machine, at the screen's frame rate, "
          "`FRAME_MS` in src/ui_curses.c) in the same tmux server. Outside tmux, in the same "
          "windows, `warmup run --headless --format jsonl --speed 1` of the same routine "
          "writes its events to a file (its bytes/s are that file's growth, not terminal "
          "traffic); issue 4's target for it is under 0.1%% of a core. %d s windows, "
          "%d runs. CPU from schedstat (ns); \"ticks\" is utime+stime from /proc/PID/stat "
          "(10 ms steps) as a check. Wake-ups are schedstat's count of times on a CPU; "
          "\"vol. switches\" are voluntary context switches. Bytes are everything the pane "
          "received (`tmux pipe-pane`)." % (frame, secs, len(runs)), "",
          table(["program", "CPU s/min", "% of a core", "target < 0.2%", "ticks s/min",
                 "terminal B/s", "target < 1024", "wake-ups/s", "vol. switches/s",
                 "peak RSS MB", "target < 4"], rows), ""]
    md.append("The warmup pane showed the work phase throughout: %s." % ("yes" if in_work else
                                                                       "**no** (see below)"))
    if "_strace" in runs[-1]:
        st = runs[-1]["_strace"]
        srows = []
        for name in names:
            top = sorted(st.get(name, {}).items(), key=lambda kv: -kv[1])[:6]
            srows.append([name, ", ".join("%s %.1f" % kv for kv in top) or "none"])
        md += ["", "System calls per second under `strace -c -f` (one %d s window after the "
               "last run's measurement):" % strace_secs, "",
               table(["program", "calls per second, most frequent first"], srows)]
    md += ["", "The warmup screen at the end of the last window:", "", "```", screen, "```"]
    if notes:
        md += [""] + notes
    return "\n".join(md)
