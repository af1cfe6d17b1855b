"""Figure 4: how validate and show grow with the routine.

The loader caps a routine at 100 drills, 8 movement steps and 16 prompts a
drill, and 1 MiB of file (include/routine.h). So the rows are 10 and 100
ordinary drills, 100 drills with every list and text at its cap, the same
padded with comments to the 1 MiB limit, and 1,000 drills, which the
loader must reject (the time it takes to say so).
"""

import os

from lib import cell, peak_rss_kb, table, verdict
from startup import time_commands


def run(ctx):
    gen, w = ctx["gen"], ctx["warmup"]
    files = [("10 drills", gen("drills", 10, "scale-10.yaml")),
             ("100 drills (the most allowed)", gen("drills", 100, "scale-100.yaml")),
             ("100 drills x 8 steps x 16 prompts, every text at its cap",
              gen("full", 100, "scale-100-full.yaml")),
             ("the same, padded with comments to the 1 MiB file limit",
              gen("largest", 0, "scale-largest.yaml")),
             ("1,000 drills (rejected: over the 100-drill limit)",
              gen("drills", 1000, "scale-1000.yaml"))]
    cmds = [("`--version` (baseline)", [w, "--version"])]
    for label, path in files:
        cmds.append(("validate " + label, [w, "validate", path]))
        cmds.append(("show " + label, [w, "show", "--format", "json", path]))
    times, how = time_commands(ctx, cmds, ctx["scale_runs"], "scale")
    base = min(times[cmds[0][0]]) * 1000

    rows, per_kb = [], {}
    for label, path in files:
        kb = os.path.getsize(path) / 1024
        for verb in ("validate", "show"):
            name = verb + " " + label
            cmd = [c for n, c in cmds if n == name][0]
            ms = [t * 1000 for t in times[name]]
            rss = [v / 1024 for v in (peak_rss_kb(cmd, ctx["env"]) for _ in range(ctx["runs"]))
                   if v is not None]
            over = min(ms) - base
            per_kb[name] = over / kb
            target = "< 50" if verb == "validate" and "padded" in label else ""
            rows.append([label if verb == "validate" else "", verb, "%.0f" % kb, cell(ms),
                         target, verdict(ms, 50) if target else "",
                         "%.1f" % (over * 1000 / kb), cell(rss, 1), "< 4", verdict(rss, 4)])
    ctx["data"]["scale"] = {"times": times, "per_kb": per_kb, "base_ms": base}
    return "\n".join([
        "## 4. Scale", "",
        "`warmup validate FILE` and `warmup show --format json FILE` of generated routines "
        "(%s, %d runs each; peak RSS by GNU time `%%M`, %d runs). The loader caps a routine "
        "at 100 drills, 8 movement steps and 16 prompts a drill, and 1 MiB of file, so the "
        "issue's \"1,000 drills\" cannot load: the largest loadable routine is the 1 MiB row, "
        "and the 1,000-drill file shows how quickly it is refused. \"us/KB\" is the fastest run's "
        "time above the fastest `--version` (%.2f ms), per KB of file (fastest runs, as the "
        "least noisy): roughly constant for the large files means linear growth; small files "
        "are dominated by fixed costs." % (how, ctx["scale_runs"], ctx["runs"], base), "",
        table(["routine", "command", "KB", "time ms, median (min - max)", "target", "",
               "us/KB", "peak RSS MB", "target", ""], rows)])
