"""Small helpers shared by the benchmark sections: statistics, /proc
readings, running commands, and markdown tables."""

import math
import os
import shutil
import statistics
import subprocess

CLK_TCK = os.sysconf("SC_CLK_TCK")


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(1, math.ceil(p / 100 * len(v)))
    return v[k - 1]


def spread(values):
    """(median, min, max) of a non-empty list."""
    return statistics.median(values), min(values), max(values)


def have(cmd):
    return shutil.which(cmd) is not None


def fmt(x, digits=2):
    if x is None:
        return "-"
    if isinstance(x, int):
        return str(x)
    if abs(x) >= 100:
        return "%.0f" % x
    return "%.*f" % (digits, x)


def cell(values, digits=2):
    """'median (min-max)' of several runs."""
    if not values:
        return "-"
    med, lo, hi = spread(values)
    if len(values) == 1:
        return fmt(med, digits)
    return "%s (%s - %s)" % (fmt(med, digits), fmt(lo, digits), fmt(hi, digits))


def verdict(values, limit):
    """Whether the median meets a 'less than' target."""
    if not values or limit is None:
        return ""
    return "meets" if statistics.median(values) < limit else "**misses**"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --- /proc ------------------------------------------------------------------

def proc_cpu_ns(pid):
    """CPU time of every thread of pid in ns, from schedstat (exact), and the
    number of times its threads were put on a CPU (each wake-up is one)."""
    ns = runs = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
            a = f.read().split()
        ns += int(a[0])
        runs += int(a[2])
    return ns, runs


def proc_ticks(pid):
    """utime + stime in seconds (clock ticks: 10 ms steps)."""
    with open("/proc/%d/stat" % pid) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            out[k] = v.strip()
    return out


def proc_sample(pid):
    st = proc_status(pid)
    ns, runs = proc_cpu_ns(pid)
    return {
        "cpu_ns": ns,
        "runs": runs,
        "ticks_s": proc_ticks(pid),
        "vcsw": int(st["voluntary_ctxt_switches"]),
        "ivcsw": int(st["nonvoluntary_ctxt_switches"]),
        "hwm_kb": int(st["VmHWM"].split()[0]),
    }


def run(cmd, **kw):
    return subprocess.run(cmd, check=False, **kw)


def peak_rss_kb(cmd, env=None):
    """Peak RSS in KB of one run of cmd, by GNU time's %M (None without it)."""
    if not os.access("/usr/bin/time", os.X_OK):
        return None
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=env, check=False)
    try:
        return int(r.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None
