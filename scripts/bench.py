#!/usr/bin/env python3
"""Runs the benchmark workloads (bench/README.md) for troupe and its peers, interleaved,
and prints one Markdown table of medians, min-max, peak RSS and ratios.

    scripts/bench.py                      # full parameters, 3 runs of each
    BENCH_QUICK=1 scripts/bench.py        # small parameters, under two minutes
    scripts/bench.py ring pingpong        # only these workloads

Environment: BUILD_DIR      the build tree (default build/release)
             BENCH_RUNS     runs per workload and runtime (default 3, at least 1)
             BENCH_WORKERS  worker threads / schedulers (default: one per hardware thread)
             BENCH_RUNTIMES which runtimes, comma-separated (default troupe,caf,erlang,raw)

The runs are interleaved (troupe, caf, erlang, raw, troupe, caf, ...) so that drift on a
shared machine hits every runtime alike; only medians are meaningful. Each program checks
its own result; a run that fails, hangs (past the timeout) or prints a malformed line is
reported, and the script then exits with status 1.
"""

import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Metric:
    key: str  # a result field
    unit: str  # how to print it ("M ..." divides by a million, "k ..." by a thousand)
    higher_is_better: bool
    goal: str
    on_raw: bool = True  # the raw floor's line has this field too


@dataclass
class Workload:
    name: str
    full: list  # default arguments
    quick: list  # BENCH_QUICK arguments
    metrics: list  # the first is the result field, the last on the line
    raw: bool = False  # has a raw floor
    program: str = ""  # troupe's program, if not core_<name>
    runtimes: tuple = ()  # the runtimes that have it (empty: all)
    raw_in_program: bool = False  # troupe's program prints the floor's line too
    # Fields that tell apart the lines of a program printing one per variant (e.g. format
    # and client); each variant is a row of its own. A floor's line may carry only some of
    # them (format): it stands beside every variant it matches.
    variants: tuple = ()
    raw_program: tuple = ()  # the floor's program and leading arguments, if not raw_<name>


WORKLOADS = [
    Workload("pingpong", ["2000000"], ["200000"],
             [Metric("msgs_per_s", "M msg/s", True, ">= 20")], raw=True),
    Workload("ring", ["1000", "1000"], ["1000", "100"],
             [Metric("hops_per_s", "M hops/s", True, ">= 20")], raw=True),
    Workload("skynet", ["1000000"], ["100000"], [Metric("elapsed_ms", "ms", False, "<= 300")]),
    Workload("spawn", ["1000000"], ["100000"],
             [Metric("actors_per_s", "M actors/s", True, ">= 5")]),
    Workload("fanin", ["8", "1000000"], ["8", "100000"],
             [Metric("msgs_per_s", "M msg/s", True, ">= 20")], raw=True),
    Workload("ask", ["200000"], ["20000"], [Metric("mean_rtt_us", "µs", False, "<= 0.3")]),
    Workload("idle", ["1000000"], ["100000"],
             [Metric("bytes_per_actor", "B/actor", False, "<= 256"),
              Metric("idle_cpu_pct", "% CPU idle", False, "~0")]),
    Workload("timers", ["1000000"], ["100000"],
             [Metric("timers_per_s", "M timers/s", True, "N per s (delays < 1 s)")]),
    Workload("supervised_restart", ["10000"], ["2000"],
             [Metric("restarts_per_s", "k restarts/s", True, ">= 200")]),
    Workload("monitor", ["200000"], ["20000"],
             [Metric("downs_per_s", "M downs/s", True, ">= 2")]),
    # A Lua actor running `return ctx.msg + 1`; its floor is the same chunk on a bare
    # lua_State, printed by the same program on a second line.
    Workload("lua_handle", ["500000"], ["50000"],
             [Metric("msgs_per_s", "M msg/s", True, "–"),
              Metric("ask_median_us", "µs ask (median)", False, "–", on_raw=False),
              Metric("send_rtt_us", "µs ctx.send", False, "–", on_raw=False)],
             raw=True, program="lua_handle", runtimes=("troupe", "raw"), raw_in_program=True),
    # Requests over the IPC socket to an echo actor, from the C++ client and from a bare
    # frames client, in JSON and MessagePack; the floor is the same frames echoed by a bare
    # Unix-socket thread. CAF and Erlang have no equivalent of this protocol.
    Workload("ipc_roundtrip", ["20000"], ["2000"],
             [Metric("mean_rtt_us", "µs", False, "–"),
              Metric("p99_us", "µs p99", False, "–")],
             raw=True, program="ipc_roundtrip", runtimes=("troupe", "raw"),
             variants=("format", "client"), raw_program=("raw_unix_echo", "roundtrip")),
    Workload("ipc_throughput", ["200000"], ["20000"],
             [Metric("reqs_per_s", "k req/s", True, "–")],
             raw=True, program="ipc_throughput", runtimes=("troupe", "raw"),
             variants=("format", "client"), raw_program=("raw_unix_echo", "throughput")),
]
RUNTIMES = ["troupe", "caf", "erlang", "raw"]
TIMEOUT_S = 300


@dataclass
class Run:
    fields: dict = field(default_factory=dict)  # key -> float, for the numeric fields
    by_variant: dict = field(default_factory=dict)  # variants: variant -> its line's fields
    rss_kb: int = 0
    line: str = ""
    error: str = ""


@dataclass
class Cell:
    runs: list = field(default_factory=list)

    def ok(self):
        return [r for r in self.runs if not r.error]


def command(build, runtime, w, args, workers):
    extra = [f"workers={workers}"] if workers else []
    workload = w.name
    if runtime == "troupe" or (runtime == "raw" and w.raw_in_program):
        return [os.path.join(build, "bench", w.program or f"core_{workload}")] + args + extra
    if runtime == "caf":
        return [os.path.join(build, "bench", "peers", "caf", f"caf_{workload}")] + args + extra
    if runtime == "raw" and w.raw_program:
        program, *lead = w.raw_program
        return [os.path.join(build, "bench", "raw", program)] + lead + args + extra
    if runtime == "raw":
        return [os.path.join(build, "bench", "raw", f"raw_{workload}")] + args + extra
    return [os.path.join(ROOT, "bench", "peers", "erlang", "run.sh"), workload] + args + extra


def variant_of(fields, keys):
    """The variant a line is: its (key, value) pairs for the keys it has, in keys' order."""
    return tuple((k, fields[k]) for k in keys if k in fields)


def variant_label(v):
    return ", ".join(value for _, value in v)


def read_variants(p, runtime, workload, metrics, keys):
    """The lines of a program that prints one per variant: every line must be runtime's."""
    lines = p.stdout.strip().splitlines()
    pattern = (rf"^{runtime} {workload}( [a-z0-9_]+=[A-Za-z0-9_.+-]+)* "
               rf"{metrics[0].key}=[0-9.e+-]+$")
    if not lines or any(not re.match(pattern, line) for line in lines):
        return Run(error=f"malformed output: {p.stdout.strip()[:300]!r}")
    by_variant = {}
    for line in lines:
        fields = dict(kv.split("=", 1) for kv in line.split()[2:])
        if any(m.key not in fields for m in metrics):
            return Run(error=f"a field of {[m.key for m in metrics]} is missing: {line!r}")
        v = variant_of(fields, keys)
        if v in by_variant:
            return Run(error=f"two lines of variant {variant_label(v)!r}: {line!r}")
        by_variant[v] = {k: float(x) for k, x in fields.items() if k not in keys}
    return Run(by_variant=by_variant, line="\n".join(lines))


def run_once(cmd, runtime, workload, metrics, env, lines_expected=1, variants=()):
    """Runs cmd under /usr/bin/time; returns a Run with the line's fields and peak RSS.
    A program that prints its floor's line too (lines_expected=2) is read for runtime's;
    one that prints a line per variant (variants: the fields that tell them apart) is read
    whole."""
    if runtime == "raw":
        metrics = [m for m in metrics if m.on_raw]
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        try:
            p = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", t.name] + cmd, env=env,
                               capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return Run(error=f"no answer after {TIMEOUT_S} s")
        rss = t.read().strip().splitlines()
    if p.returncode != 0:
        return Run(error=f"exit {p.returncode}: {p.stderr.strip()[-300:]}")
    if variants:
        r = read_variants(p, runtime, workload, metrics, variants)
        r.rss_kb = int(rss[-1]) if rss and not r.error else 0
        return r
    lines = p.stdout.strip().splitlines()
    pattern = rf"^{runtime} {workload}( [a-z_]+=[0-9.e+-]+)* {metrics[0].key}=[0-9.e+-]+$"
    mine = [line for line in lines if line.startswith(f"{runtime} {workload} ")]
    if len(lines) != lines_expected or len(mine) != 1 or not re.match(pattern, mine[0]):
        return Run(error=f"malformed output: {p.stdout.strip()[:300]!r}")
    fields = dict(kv.split("=", 1) for kv in mine[0].split()[2:])
    if any(m.key not in fields for m in metrics):
        return Run(error=f"a field of {[m.key for m in metrics]} is missing: {mine[0]!r}")
    return Run(fields={k: float(v) for k, v in fields.items()},
               rss_kb=int(rss[-1]) if rss else 0, line=mine[0])


def scaled(m, v):
    if m.unit.startswith("M "):
        return v / 1e6
    return v / 1e3 if m.unit.startswith("k ") else v


def fmt(v):
    return f"{v:.3g}" if v < 1000 else f"{v:.0f}"


def ratio(m, troupe, peer):
    """How many times better troupe is than peer (> 1: troupe ahead)."""
    if troupe is None or peer is None or troupe <= 0 or peer <= 0:
        return "–"
    r = troupe / peer if m.higher_is_better else peer / troupe
    return f"{r:.2f}×"


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} hardware threads, {model}, {platform.system()} {platform.release()}"


def main():
    build = os.path.join(ROOT, os.environ.get("BUILD_DIR", "build/release"))
    runs = max(1, int(os.environ.get("BENCH_RUNS", "3")))
    workers = os.environ.get("BENCH_WORKERS", "")
    quick = os.environ.get("BENCH_QUICK", "0") == "1"
    runtimes = os.environ.get("BENCH_RUNTIMES", ",".join(RUNTIMES)).split(",")
    wanted = sys.argv[1:]
    unknown = [a for a in wanted if a not in {w.name for w in WORKLOADS}] + \
              [r for r in runtimes if r not in RUNTIMES]
    if unknown:
        sys.exit(f"bench: unknown workload or runtime {unknown}; workloads are "
                 f"{[w.name for w in WORKLOADS]}, runtimes {RUNTIMES}")
    if not shutil.which("/usr/bin/time"):
        sys.exit("bench: /usr/bin/time is missing (Debian package `time`); run make bench")
    workloads = [w for w in WORKLOADS if not wanted or w.name in wanted]

    cells = {}
    plan = []
    for w in workloads:
        for rt in runtimes:
            if (rt == "raw" and not w.raw) or (w.runtimes and rt not in w.runtimes):
                continue
            cmd = command(build, rt, w, w.quick if quick else w.full, workers)
            if rt != "erlang" and not os.access(cmd[0], os.X_OK):
                sys.exit(f"bench: {cmd[0]} is not built; run `make bench` (it builds everything)")
            cells[(w.name, rt)] = Cell()
            plan.append((w, rt, cmd))

    # The build compiles the Erlang peer there; run.sh would otherwise compile it first.
    env = dict(os.environ, TROUPE_ERL_BUILD_DIR=os.path.join(build, "bench", "peers", "erlang"))
    if "erlang" in runtimes:  # started once outside the timed runs: it compiles if needed
        warm = command(build, "erlang", WORKLOADS[0], ["10"], workers)  # pingpong
        if subprocess.run(warm, capture_output=True, env=env).returncode != 0:
            sys.exit("bench: the Erlang peer does not run: try bench/peers/erlang/run.sh pingpong 10")

    started = time.time()
    for i in range(runs):
        for w, rt, cmd in plan:
            r = run_once(cmd, rt, w.name, w.metrics, env, 2 if w.raw_in_program else 1,
                         w.variants)
            cells[(w.name, rt)].runs.append(r)
            print(r.line or f"# {rt} {w.name} FAILED: {r.error}", flush=True)
    elapsed = time.time() - started

    def values(w, m, rt, v):
        """rt's values of metric m in its ok runs (of the variant matching v, if any)."""
        c = cells.get((w.name, rt))
        if c is None or (rt == "raw" and not m.on_raw):
            return None
        if not w.variants:
            return [r.fields[m.key] for r in c.ok()]
        out = []
        for r in c.ok():
            # troupe's variant exactly; a floor's line stands beside every variant it matches
            mine = [f for k, f in r.by_variant.items() if set(k) <= set(v)]
            if mine and m.key in mine[0]:
                out.append(mine[0][m.key])
        return out

    def median(w, m, rt, v=()):
        vals = values(w, m, rt, v)
        return statistics.median(vals) if vals else None

    print()
    print(f"Machine: {machine()}. Runs: {runs} per cell, interleaved, "
          f"{'BENCH_QUICK parameters' if quick else 'full parameters'}"
          f"{', workers=' + workers if workers else ''}; total {elapsed:.0f} s.")
    print()
    cols = [rt for rt in RUNTIMES if rt in runtimes]
    head = ["workload", "args", "unit", "goal"] + [f"{rt} median (min–max) · peak RSS" for rt in cols]
    head += [f"troupe/{rt}" for rt in cols if rt != "troupe"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    failed = False
    for w in workloads:
        variants = [()]
        if w.variants:  # the rows: the variants of troupe's runs (else any runtime's), in order
            seen = {}
            for rt in ["troupe"] + cols:
                for r in cells[(w.name, rt)].ok() if (w.name, rt) in cells else []:
                    seen.update((v, None) for v in r.by_variant)
                if seen:
                    break
            variants = list(seen) or [()]
        for v in variants:
            for m in w.metrics:
                args = " ".join(w.quick if quick else w.full)
                row = [w.name, f"{args} · {variant_label(v)}" if v else args, m.unit, m.goal]
                for rt in cols:
                    c = cells.get((w.name, rt))
                    if c is None or (rt == "raw" and not m.on_raw):
                        row.append("–")
                        continue
                    ok = c.ok()
                    failed = failed or len(ok) < len(c.runs)
                    vals = [scaled(m, x) for x in values(w, m, rt, v)]
                    if not vals:
                        row.append("failed" if not ok else "–")
                        continue
                    rss = statistics.median(r.rss_kb for r in ok) / 1024
                    lost = len(c.runs) - len(ok)
                    row.append(f"**{fmt(statistics.median(vals))}** "
                               f"({fmt(min(vals))}–{fmt(max(vals))})"
                               f" · {rss:.0f} MB" + (f" ({lost} failed)" if lost else ""))
                t = median(w, m, "troupe", v)
                row += [ratio(m, t, median(w, m, rt, v)) for rt in cols if rt != "troupe"]
                print("| " + " | ".join(row) + " |")
    print()
    print("Ratios are troupe's median against the peer's, oriented so that > 1 means troupe is "
          "ahead (for time and memory: the peer's value over troupe's).")
    if failed:
        for (name, rt), c in cells.items():
            for r in c.runs:
                if r.error:
                    print(f"FAILED: {rt} {name}: {r.error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
