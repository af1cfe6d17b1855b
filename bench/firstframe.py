"""Figure 3b: how soon the full screen is there after the process starts
(issue 5: the first frame within 20 ms).

`warmup run routines/pre-run.yaml` starts on a fresh pseudo-terminal of
80x24 (TERM=xterm-256color, LANG=C.UTF-8), its own session, with the pty's
slave as stdin, stdout and stderr. From here, the clock starts just before
the process is spawned, and we read the master side as fast as the bytes
come: the first byte, the first read holding the routine's name (the top
line), and the read that completes the frame (the key bar, the screen's
last line, "q quit"). Then SIGTERM, and we read to the end so the program
is never blocked on a full pty.

The same harness runs `cat` of the bytes warmup wrote up to its full frame,
as a reference: the floor of spawning a process from Python and getting a
screenful through a pty on this machine.

One more set of runs under `strace --seccomp-bpf -ttt -f -e
trace=execve,write` gives the view from inside: from warmup's execve to the
write() that holds the routine's name and the one that holds the key bar.
strace stops the program at each of those system calls (only those, with
--seccomp-bpf), and ncurses writes a frame in dozens of pieces, so these
times are upper bounds.
"""

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time

from lib import cell, have, table, verdict

ROUTINE = "routines/pre-run.yaml"
NAME = b"Pre-run rolling"
LAST = b"q quit"


def pty_env(ctx):
    env = dict(ctx["env"], TERM="xterm-256color", COLUMNS="80", LINES="24")
    env.pop("NO_COLOR", None)
    return env


def drain(fd, p, deadline):
    """Reads the master until the slave side is closed, or the deadline."""
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                if not os.read(fd, 65536):
                    return
            except OSError:     # EIO: every slave fd is closed
                return
        elif p.poll() is not None:
            return


def one(ctx, argv, stop_group=False):
    """(ms to first byte, to the name, to the full frame, bytes up to it)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    t0 = time.monotonic_ns()
    p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=pty_env(ctx),
                         start_new_session=True, close_fds=True)
    os.close(slave)
    buf, first, named, full = b"", None, None, None
    deadline = time.monotonic() + 5
    try:
        while full is None and time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 0.5)
            if not r:
                if p.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            now = time.monotonic_ns()
            if first is None:
                first = now
            buf += data
            if named is None and NAME in buf:
                named = now
            if LAST in buf:
                full = now
    finally:
        if p.poll() is None:
            if stop_group:
                os.killpg(p.pid, signal.SIGTERM)
            else:
                p.send_signal(signal.SIGTERM)
        drain(master, p, time.monotonic() + 5)
        os.close(master)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    ms = lambda t: None if t is None else (t - t0) / 1e6
    return ms(first), ms(named), ms(full), buf


WRITE = re.compile(r"^(\d+) +(\d+\.\d+) (\w+)\((\d+)?")


def strace_one(ctx, runs_dir, n):
    """(ms from execve to the write with the name, to the write with the key
    bar) inside the process, under strace."""
    log = os.path.join(runs_dir, "firstframe-strace-%d.txt" % n)
    one(ctx, ["strace", "--seccomp-bpf", "-ttt", "-f", "-s", "65536", "-e", "trace=execve,write", "-o", log,
              ctx["warmup"], "run", ROUTINE], stop_group=True)
    start = named = full = None
    with open(log, errors="replace") as f:
        for line in f:
            m = WRITE.match(line)
            if not m:
                continue
            t, call = float(m.group(2)), m.group(3)
            if call == "execve" and line.rstrip().endswith("= 0") and start is None:
                start = t
            elif call == "write" and m.group(4) == "1" and start is not None:
                if named is None and NAME.decode() in line:
                    named = t
                if LAST.decode() in line:
                    full = t
                    break
    if start is None:
        return None, None
    return (None if named is None else (named - start) * 1000,
            None if full is None else (full - start) * 1000)


def run(ctx):
    runs = ctx["frame_runs"]
    w = ctx["warmup"]
    got = {"first": [], "named": [], "full": []}
    frame, notes = None, []
    for i in range(runs + 2):           # two warm-up runs, not counted
        first, named, full, buf = one(ctx, [w, "run", ROUTINE])
        if full is None:
            notes.append("A run showed no full frame within 5 s (%d bytes read)." % len(buf))
            continue
        if frame is None:
            frame = buf
        if i >= 2:
            got["first"].append(first)
            got["named"].append(named)
            got["full"].append(full)
    if not got["full"]:
        return "\n".join(["### First frame", "", "Not measured: " + " ".join(notes)])

    ref = {"first": [], "named": [], "full": []}
    path = os.path.join(ctx["work"], "firstframe.bytes")
    with open(path, "wb") as f:
        f.write(frame)
    for i in range(runs + 2):
        first, named, full, _ = one(ctx, ["/bin/cat", path])
        if full is not None and i >= 2:
            ref["first"].append(first)
            ref["named"].append(named)
            ref["full"].append(full)

    inside = {"named": [], "full": []}
    if have("strace"):
        for i in range(max(3, runs // 2)):
            named, full = strace_one(ctx, ctx["work"], i)
            if full is not None:
                inside["named"].append(named)
                inside["full"].append(full)

    rows = [["**`warmup run %s`**" % ROUTINE, cell(got["first"]), cell(got["named"]),
             cell(got["full"]), "< 20", verdict(got["full"], 20)],
            ["`cat` of the same %d bytes (reference)" % len(frame), cell(ref["first"]),
             cell(ref["named"]), cell(ref["full"]), "", ""]]
    if inside["full"]:
        rows.append(["`warmup run` under strace, from its execve (inside view)", "-",
                     cell(inside["named"]), cell(inside["full"]), "", ""])
    md = ["### First frame", "",
          "How soon the full screen is on a terminal after the process starts (issue 5: "
          "within 20 ms). `warmup run %s` starts on a fresh 80x24 pseudo-terminal "
          "(TERM=xterm-256color) with the pty as stdin, stdout and stderr; the clock starts "
          "just before Python spawns it, and stops when a read of the pty's master side "
          "holds the first byte, the routine's name (top line), and the key bar (the last "
          "line: the frame is whole). %d runs after 2 warm-up runs. The reference is `cat` of "
          "the bytes warmup wrote up to then, through the same harness: the floor of spawning "
          "from Python and passing a screenful through a pty. The inside view runs under "
          "`strace --seccomp-bpf -ttt -f -e trace=execve,write` (%d runs) and times warmup's own "
          "`execve` to the `write()` holding the name and the one holding the key bar; strace "
          "stops the program at each of those calls (ncurses writes a frame in dozens of "
          "pieces), so those are upper bounds." % (
              ROUTINE, len(got["full"]), len(inside["full"])), "",
          table(["program", "first byte ms", "routine name ms", "full frame ms", "target",
                 ""], rows)]
    if notes:
        md += [""] + notes
    ctx["data"]["firstframe"] = {"warmup": got, "cat": ref, "inside": inside}
    return "\n".join(md)
