"""Figure 1: timing truth of headless real-time runs.

Each run is `warmup run --headless --format jsonl --speed S ROUTINE` read
line by line through a pipe. For every event, lateness is how far behind
the timeline the line was written, in real ms: wall_ms - t / S (at S = 1,
plainly wall_ms - t). The end-to-end error is measured outside the
program: from just before the process is started to the moment its
session_end line is read, minus the plan's total / S. It therefore also
holds the process's start-up and the pipe.

The runs of both rows start together, a fraction of a second apart so
their wake-ups do not coincide: they sleep nearly all the time, and this
keeps the whole benchmark inside its time budget.
"""

import json
import subprocess
import threading
import time

from lib import cell, percentile, table, verdict


def one_run(warmup, routine, speed, env, result):
    t0 = time.monotonic_ns()
    p = subprocess.Popen([warmup, "run", "--headless", "--format", "jsonl", "--no-history",
                          "--speed", str(speed), routine],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=env)
    events, end_read_ns, total_ms, end = [], None, None, None
    for raw in p.stdout:
        now = time.monotonic_ns()
        ev = json.loads(raw)
        events.append(ev)
        if ev["event"] == "session_start":
            total_ms = ev["total_ms"]
        if ev["event"] == "session_end":
            end_read_ns, end = now, ev
    result.update(rc=p.wait(), events=events, t0=t0, end_read_ns=end_read_ns,
                  total_ms=total_ms, end=end, speed=speed)


def summarise(r):
    s = r["speed"]
    late = [ev["wall_ms"] - ev["t"] / s for ev in r["events"]]
    e2e = (r["end_read_ns"] - r["t0"]) / 1e6 - r["total_ms"] / s
    return {
        "n": len(late),
        "p50": percentile(late, 50), "p99": percentile(late, 99), "max": max(late),
        "min": min(late),
        "e2e": e2e,
        "internal": r["end"]["wall_ms"] - r["total_ms"] / s,
        "status": r["end"]["status"],
    }


def run(ctx):
    gen = ctx["gen"]
    rows = []
    specs = [("--speed 1, %d s routine" % ctx["timing_seconds"], 1,
              gen("timed", ctx["timing_seconds"], "timing-1x.yaml")),
             ("--speed %g, %d s routine" % (ctx["fast_speed"], ctx["fast_seconds"]), ctx["fast_speed"],
              gen("timed", ctx["fast_seconds"], "timing-fast.yaml"))]
    results = {label: [] for label, _, _ in specs}
    threads = []
    for i in range(ctx["runs"]):
        for label, speed, path in specs:
            res = {}
            th = threading.Thread(target=one_run, args=(ctx["warmup"], path, speed, ctx["env"], res))
            th.start()
            threads.append(th)
            results[label].append(res)
            time.sleep(0.237)
    for th in threads:
        th.join()

    notes = []
    for label, speed, path in specs:
        sums = []
        for r in results[label]:
            if r["rc"] != 0 or not r["end"] or r["end"]["status"] != "completed":
                notes.append("A run of %s failed (exit %s)." % (label, r["rc"]))
                continue
            sums.append(summarise(r))
        if not sums:
            continue
        ctx["data"]["timing"][label] = sums
        get = lambda k: [x[k] for x in sums]
        rows.append([label, "events per run", cell(get("n"), 0), "", ""])
        rows.append(["", "lateness p50 (ms)", cell(get("p50")), "", ""])
        rows.append(["", "lateness p99 (ms)", cell(get("p99")), "< 5", verdict(get("p99"), 5)])
        rows.append(["", "lateness max (ms)", cell(get("max")), "", ""])
        rows.append(["", "lateness min (ms; negative = early)", cell(get("min")), ">= 0",
                     "meets" if min(get("min")) >= 0 else "**misses**"])
        rows.append(["", "end-to-end error, external (ms)", cell(get("e2e")), "< 10",
                     verdict([abs(x) for x in get("e2e")], 10)])
        rows.append(["", "session_end wall_ms - plan (ms)", cell(get("internal")), "", ""])

    md = ["## 1. Timing truth (headless, real time)", "",
          "`warmup run --headless --format jsonl --speed S` of a generated routine "
          "(drills of 15 s a side with a movement cue every 2 s, a prompt, the keep-moving "
          "prompt every 10 s, 5 s switches and rests). Lateness of an event is "
          "`wall_ms - t / S` in real milliseconds (at `--speed 1`, `wall_ms - t`); "
          "`wall_ms` is whole milliseconds, so 0 means \"within the same millisecond\". "
          "End-to-end error: from just before the process is started to the moment its "
          "`session_end` line is read through the pipe, minus the plan's total / S "
          "(so it includes start-up). %d runs of each row, run side by side; each cell is "
          "the median (min - max) over runs of that run's figure." % ctx["runs"], "",
          table(["run", "figure", "median (min - max)", "target", ""], rows)]
    if notes:
        md += [""] + notes
    return "\n".join(md)
