#!/usr/bin/env python3
"""Plot the cost of a login against the number of cgherd.conf rules.

    python3 bench/plot.py build/bench/results.txt bench/rules.png

Reads the "@@BENCH micro case=rules=N ..." and "@@BENCH login
kind=runuser:rules=N ..." lines of a benchmark run (bench/run.sh) and draws,
against the rule count (log scale, 0 drawn at the left edge): the module's
open+close pair through libpam and the config load alone (microbench), the
added cost of a runuser login (cgherd - bare, medians), and the floor.
Needs matplotlib; `make bench` itself does not.
"""
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def fields(line):
    return dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))


def main(src, dst):
    micro, login = {}, {}
    host = ""
    for line in open(src, errors="replace"):
        if not line.startswith("@@BENCH "):
            continue
        f = fields(line)
        kind = line.split()[1]
        if kind == "host":
            host = "%s, %s CPUs, %s" % (f.get("cpu", "?").strip('"'), f.get("nproc", "?"),
                                        f.get("date", ""))
        m = re.fullmatch(r"rules=(\d+)", f.get("case", ""))
        if kind == "micro" and m:
            micro[int(m.group(1))] = f
        m = re.fullmatch(r"runuser:rules=(\d+)", f.get("kind", ""))
        if kind == "login" and m:
            login.setdefault(int(m.group(1)), {})[f["stack"]] = float(f["median_ms"])
    if not micro:
        sys.exit("plot.py: no 'micro case=rules=N' lines in %s" % src)
    rules = sorted(micro)
    x = [max(r, 1) for r in rules]       # 0 rules drawn at 1 on the log axis
    ms = lambda key: [float(micro[r][key]) / 1000 for r in rules]  # noqa: E731

    fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    ax.plot(x, ms("pam_pair_us"), "o-", label="open+close through libpam (microbench)")
    ax.plot(x, ms("config_us"), "s--", label="config parsed (cgherd check; microbench)")
    if all("config_cached_us" in micro[r] for r in rules):
        ax.plot(x, ms("config_cached_us"), "d--",
                label="config from the module's cache (microbench)")
    ax.plot(x, ms("floor_us"), ":", color="grey", label="floor: bare cgroup syscalls")
    lr = [r for r in rules if r in login and {"bare", "cgherd"} <= set(login[r])]
    if lr:
        ax.plot([max(r, 1) for r in lr], [login[r]["cgherd"] - login[r]["bare"] for r in lr],
                "^-", label="added to a runuser login (median cgherd - bare)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(x)
    ax.set_xticklabels([str(r) for r in rules])
    ax.set_xlabel("rules in cgherd.conf (matching rule last)")
    ax.set_ylabel("ms per login (QEMU TCG guest)")
    ax.set_title("pam_cgherd: cost against number of rules", fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    if host:
        fig.text(0.01, 0.01, "host: " + host + "; guest under TCG, absolute times inflated",
                 fontsize=6, color="grey")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(dst)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot.py RESULTS.txt OUT.png")
    main(sys.argv[1], sys.argv[2])
