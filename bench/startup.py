"""Figures 3 and 4 share this: whole-process wall time of short commands,
by hyperfine when it is installed (no shell between, a few warm-up runs
first), else by timing repeated runs from here (which adds Python's own
fork and exec, a fraction of a millisecond), and peak RSS by GNU time."""

import json
import shlex
import os
import subprocess
import time

import firstframe
from lib import cell, have, peak_rss_kb, table, verdict


def time_commands(ctx, cmds, runs, tag):
    """{name: [seconds per run]} for named argument lists."""
    if have("hyperfine"):
        out = os.path.join(ctx["work"], "hyperfine-%s.json" % tag)
        argv = ["hyperfine", "-N", "-i", "--style", "none", "--warmup", "3", "--runs", str(runs),
                "--export-json", out]
        for _, cmd in cmds:
            argv.append(shlex.join(cmd))
        with open(out + ".log", "w") as log:
            subprocess.run(argv, env=ctx["env"], stdout=log, stderr=log, check=True)
        with open(out) as f:
            res = json.load(f)["results"]
        return {name: r["times"] for (name, _), r in zip(cmds, res)}, "hyperfine -N"
    times = {}
    for name, cmd in cmds:
        ts = []
        for i in range(runs + 3):
            t = time.perf_counter()
            subprocess.run(cmd, env=ctx["env"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            if i >= 3:
                ts.append(time.perf_counter() - t)
        times[name] = ts
    return times, "repeated runs from Python (hyperfine is not installed)"


def rss_of(ctx, cmd):
    vals = [peak_rss_kb(cmd, ctx["env"]) for _ in range(ctx["runs"])]
    return [v / 1024 for v in vals if v is not None]


def run(ctx):
    w = ctx["warmup"]
    cmds = [("`true` (reference: process start-up floor)", ["/bin/true"]),
            ("`warmup --version`", [w, "--version"]),
            ("`warmup validate routines/pre-run.yaml`", [w, "validate", "routines/pre-run.yaml"]),
            ("`warmup run --headless --instant routines/pre-run.yaml`",
             [w, "run", "--headless", "--instant", "routines/pre-run.yaml"])]
    times, how = time_commands(ctx, cmds, ctx["startup_runs"], "startup")
    ctx["data"]["startup"] = times
    rows = []
    for name, cmd in cmds:
        ms = [t * 1000 for t in times[name]]
        rss = rss_of(ctx, cmd)
        ref = name.startswith("`true`")
        rows.append([name, cell(ms), "" if ref else "< 5", "" if ref else verdict(ms, 5),
                     cell(rss), "" if ref else "< 4", "" if ref else verdict(rss, 4)])
    md = "\n".join([
        "## 3. Start-up", "",
        "Whole-process wall time (%s, %d runs each after 3 warm-up runs) and peak RSS "
        "(GNU time `%%M`, %d runs)." % (how, ctx["startup_runs"], ctx["runs"]), "",
        table(["command", "time ms, median (min - max)", "target", "",
               "peak RSS MB", "target", ""], rows)])
    return md + "\n\n" + firstframe.run(ctx)
