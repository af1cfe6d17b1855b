"""make bench: measures warmup beside reference programs and writes a
markdown report (build/bench.md).

    /usr/bin/python3 bench/bench.py WARMUP_BINARY REPORT.md

Bounded by environment variables (the Makefile passes them on):
    BENCH_RUNS            runs per figure; each figure is their median (3)
    BENCH_TIMING_SECONDS  length of the --speed 1 routine (120)
    BENCH_FAST_SECONDS    length of the fast routine (600)
    BENCH_FAST_SPEED      its --speed (10)
    BENCH_IDLE_SECONDS    idle measuring window in the terminal (30)
    BENCH_STRACE_SECONDS  one extra window under strace, for syscall counts (10; 0: none)
    BENCH_STARTUP_RUNS    timed runs per start-up command (30)
    BENCH_SCALE_RUNS      timed runs per scale command (10)
    BENCH_FRAME_RUNS      runs of the first-frame measurement (20)
    BENCH_SECTIONS        which sections, of: timing idle startup scale (all)

Nothing here asserts: targets stand beside the figures.
"""

import datetime
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_routine  # noqa: E402
import idle  # noqa: E402
import scale  # noqa: E402
import startup  # noqa: E402
import timing  # noqa: E402


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        sys.exit("bench: %s must be a whole number" % name)


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    debian = "unknown"
    if os.path.exists("/etc/debian_version"):
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    load = os.getloadavg()
    return [
        "- date: %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "- CPUs (nproc): %d; model: %s" % (os.cpu_count(), cpu),
        "- kernel: %s %s; Debian %s" % (platform.system(), platform.release(), debian),
        "- load average at the start: %.2f %.2f %.2f; other processes busy then (over 10%% "
        "of a core): %s" % (load + (busy_others(),)),
    ]


def source(root):
    """The commit the tree is at, and any uncommitted change to what the
    binary is built from (the binary is built from the working tree)."""
    def git(*args):
        r = subprocess.run(["git", "-C", root] + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, text=True, check=False)
        return r.stdout if r.returncode == 0 else None
    head = git("log", "-1", "--format=%h (%cd)", "--date=format:%Y-%m-%d %H:%M")
    if head is None:
        return "not a git tree"
    changed = git("status", "--porcelain", "--", "src", "include", "Makefile")
    changed = [line[3:] for line in changed.splitlines() if line.strip()] if changed else []
    return "commit %s%s" % (head.strip(), "; uncommitted changes to " + ", ".join(changed)
                            if changed else "; no uncommitted changes to src, include, Makefile")


def busy_others(seconds=1.0):
    """Other processes that used more than 10% of a core over a short sample:
    anything here makes the figures noisier (the `true` reference shows how much)."""
    def ticks():
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % pid) as f:
                    head, rest = f.read().rsplit(")", 1)
                a = rest.split()
                out[pid] = (head.split("(", 1)[1], int(a[11]) + int(a[12]))
            except (OSError, IndexError, ValueError):
                pass
        return out
    a = ticks()
    time.sleep(seconds)
    b = ticks()
    hz = os.sysconf("SC_CLK_TCK")
    busy = sorted(((b[p][1] - a[p][1]) / hz / seconds * 100, b[p][0]) for p in b
                  if p in a and (b[p][1] - a[p][1]) / hz / seconds > 0.1)
    return ", ".join("%s %.0f%%" % (name, pct) for pct, name in reversed(busy)) or "none"


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 64
    warmup, out = os.path.abspath(argv[0]), argv[1]
    work = os.path.join(os.path.dirname(os.path.abspath(out)), "bench")
    os.makedirs(os.path.join(work, "state"), exist_ok=True)
    env = dict(os.environ, WARMUP_NO_HISTORY="1", XDG_STATE_HOME=os.path.join(work, "state"),
               LANG="C.UTF-8", LC_ALL="C.UTF-8")
    env.pop("NO_COLOR", None)

    def gen(kind, arg, name):
        path = os.path.join(work, name)
        if kind == "timed":
            gen_routine.write(path, gen_routine.timed(arg))
        elif kind == "idle":
            gen_routine.write(path, gen_routine.idle(arg))
        elif kind == "drills":
            gen_routine.write(path, gen_routine.drills(arg, False))
        elif kind == "full":
            gen_routine.write(path, gen_routine.drills(arg, True))
        elif kind == "largest":
            gen_routine.write(path, gen_routine.largest())
        return path

    ctx = {
        "warmup": warmup, "work": work, "env": env, "gen": gen, "data": {"timing": {}},
        "root": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        "runs": max(1, env_int("BENCH_RUNS", 3)),
        "timing_seconds": env_int("BENCH_TIMING_SECONDS", 120),
        "fast_seconds": env_int("BENCH_FAST_SECONDS", 600),
        "fast_speed": float(os.environ.get("BENCH_FAST_SPEED", "10")),
        "idle_seconds": env_int("BENCH_IDLE_SECONDS", 30),
        "strace_seconds": env_int("BENCH_STRACE_SECONDS", 10),
        "startup_runs": max(3, env_int("BENCH_STARTUP_RUNS", 30)),
        "scale_runs": max(3, env_int("BENCH_SCALE_RUNS", 10)),
        "frame_runs": max(3, env_int("BENCH_FRAME_RUNS", 20)),
    }
    if ctx["fast_speed"] == int(ctx["fast_speed"]):
        ctx["fast_speed"] = int(ctx["fast_speed"])
    sections = os.environ.get("BENCH_SECTIONS", "timing idle startup scale").split()
    os.chdir(ctx["root"])

    started = time.monotonic()
    parts = ["# warmup benchmarks", "",
             "Written by `make bench` (bench/bench.py). Each figure is the median of several "
             "runs with their min and max; targets stand beside the figures and are not "
             "asserted. Reference programs are measured in the same run.", "",
             "## Machine", ""] + machine() + [
             "- settings: BENCH_RUNS=%d BENCH_TIMING_SECONDS=%d BENCH_FAST_SECONDS=%d "
             "BENCH_FAST_SPEED=%s BENCH_IDLE_SECONDS=%d BENCH_STRACE_SECONDS=%d "
             "BENCH_STARTUP_RUNS=%d BENCH_SCALE_RUNS=%d BENCH_FRAME_RUNS=%d" % (
                 ctx["runs"], ctx["timing_seconds"], ctx["fast_seconds"], ctx["fast_speed"],
                 ctx["idle_seconds"], ctx["strace_seconds"], ctx["startup_runs"],
                 ctx["scale_runs"], ctx["frame_runs"]),
             "- warmup: `%s`, %s" % (os.popen("'%s' --version" % warmup).read().strip(),
                                     source(ctx["root"]))]
    for name, mod in (("timing", timing), ("idle", idle), ("startup", startup), ("scale", scale)):
        if name not in sections:
            continue
        t = time.monotonic()
        print("bench: %s ..." % name, flush=True)
        parts += ["", mod.run(ctx)]
        print("bench: %s done in %.0f s" % (name, time.monotonic() - t), flush=True)
    parts += ["", "The whole benchmark took %.0f s. Load average at the end: %.2f %.2f %.2f; "
              "other processes busy then: %s." % ((time.monotonic() - started,) + os.getloadavg()
                                                  + (busy_others(),)), ""]
    with open(out, "w") as f:
        f.write("\n".join(parts))
    print("bench: wrote %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
