"""Run the benchmarks W1-W9 and print a table of medians and ratios.

Usage: python benchmarks/run.py [--quick] [--only W7] [--write benchmarks/RESULTS.md]

minigraph is measured side by side with a hand-written numpy baseline (and with
`tensorflow.compat.v1` graph mode when TensorFlow is importable), rounds interleaved,
warm-up excluded. Ratios, not absolute times, are the result. Nothing here is asserted.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads as W  # noqa: E402

import minigraph  # noqa: E402
from minigraph.runtime import fused_loops, fusion  # noqa: E402

# Calls before timing: past the run where a plan fuses (its compile is reported by --jit).
WARMUP = fusion.FUSE_AFTER_RUNS + 5


def load_tf1():
    try:
        import tensorflow.compat.v1 as tf1  # type: ignore
    except ImportError:
        return None
    tf1.disable_v2_behavior()
    return tf1


def fresh(tf):
    if tf is minigraph:
        minigraph.reset_default_graph()
    else:
        tf.reset_default_graph()


def time_calls(fn, calls, rounds, warmup=1):
    """Median seconds per call over `rounds` rounds of `calls` calls each."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return statistics.median(samples)


def interleaved(candidates, calls, rounds):
    """Time several functions round-robin so background load hits all alike."""
    for fn in candidates.values():
        for _ in range(WARMUP):
            fn()
    samples = {k: [] for k in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            start = time.perf_counter()
            for _ in range(calls):
                fn()
            samples[name].append((time.perf_counter() - start) / calls)
    return {k: statistics.median(v) for k, v in samples.items()}


def peak_bytes(fn):
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def bench_w1(tf1, quick):
    x, y, weights = W.w1_data()
    fresh(minigraph)
    fns = {"minigraph": W.w1_minigraph(minigraph, x, y, weights),
           "numpy": W.w1_numpy(x, y, weights)}
    if tf1:
        fresh(tf1)
        fns["tf1"] = W.w1_minigraph(tf1, x, y, weights)
    return interleaved(fns, calls=5 if quick else 20, rounds=3 if quick else 7)


def bench_w2(tf1, quick):
    fresh(minigraph)
    fns = {"minigraph": W.w2_minigraph(minigraph), "numpy": W.w2_numpy()}
    if tf1:
        fresh(tf1)
        fns["tf1"] = W.w2_minigraph(tf1)
    result = interleaved(fns, calls=3 if quick else 10, rounds=3 if quick else 7)
    return {k: v / W.W2_OPS for k, v in result.items()}


def bench_w3(tf1, quick):
    out = {}
    for n in ((1000, 4000) if quick else (1000, 4000, 16000)):
        fresh(minigraph)
        out[f"minigraph N={n}"] = statistics.median(W.w3_build(minigraph, n)()
                                                    for _ in range(1 if quick else 3)) / n
        if tf1 and n <= 4000:
            out[f"tf1 N={n}"] = W.w3_build(tf1, n)() / n
    return out


def bench_w4(tf1, quick):
    x, y = W.w4_data()
    steps = 200 if quick else 2000
    fresh(minigraph)
    fns = {"minigraph": W.w4_minigraph(minigraph, x, y), "numpy": W.w4_numpy(x, y)}
    if tf1:
        fresh(tf1)
        fns["tf1"] = W.w4_minigraph(tf1, x, y)
    per_step = interleaved(fns, calls=steps, rounds=3)
    return {k: v * steps for k, v in per_step.items()}


def bench_w5(tf1, quick):
    x, ws = W.w5_data()
    fresh(minigraph)
    mg = W.w5_minigraph(minigraph, x, ws)
    mg()  # compile the plan outside the measurement
    # TF allocates its tensors in C++, out of tracemalloc's sight: no tf1 column here.
    return {"minigraph": peak_bytes(mg), "numpy": peak_bytes(W.w5_numpy(x, ws))}


def bench_w6(tf1, quick):
    x, y, params = W.w6_data()
    fresh(minigraph)
    fns = {"minigraph": W.w6_minigraph(minigraph, x, y, params),
           "numpy": W.w6_numpy(x, y, params)}
    if tf1:
        fresh(tf1)
        fns["tf1"] = W.w6_minigraph(tf1, x, y, params)
    return interleaved(fns, calls=2 if quick else 5, rounds=3 if quick else 9)


def bench_w9(quick):
    """The chain with constants at several sizes in one process, then the peak RSS."""
    import resource

    out = {}
    for n in ((1000, 4000) if quick else (1000, 4000, 16000)):
        fresh(minigraph)
        out[n] = W.w9_chain(minigraph, n)
        gc.collect()
    out["peak RSS"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out


def machine_info():
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        np.show_config()
    blas = [line.strip() for line in buf.getvalue().splitlines()
            if "name" in line and ("blas" in line.lower() or "lapack" in line.lower())]
    try:
        from threadpoolctl import threadpool_info
        pools = [f"{p['internal_api']} {p.get('version')} threads={p['num_threads']}"
                 for p in threadpool_info()]
    except ImportError:
        pools = ["threadpoolctl not installed"]
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "BLAS": "; ".join(blas) or "see numpy.show_config()",
        "thread pools": "; ".join(pools),
        "load average before run": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def bench_w7(tf1, quick):
    x, y, params = W.w7_data()
    fresh(minigraph)
    fns = {"minigraph": W.w7_minigraph(minigraph, x, y, params),
           "numpy": W.w7_numpy(x, y, params)}
    if tf1:
        fresh(tf1)
        fns["tf1"] = W.w7_minigraph(tf1, x, y, params)
    return interleaved(fns, calls=1 if quick else 2, rounds=3 if quick else 5)


def bench_w8(tf1, quick):
    table, ids, target = W.w8_data()
    fresh(minigraph)
    fns = {"minigraph": W.w8_minigraph(minigraph, table, ids, target),
           "numpy": W.w8_numpy(table, ids, target)}
    if tf1:
        fresh(tf1)
        fns["tf1"] = W.w8_minigraph(tf1, table, ids, target)
    return interleaved(fns, calls=20 if quick else 200, rounds=3 if quick else 7)


def jit_probe():
    """(In a subprocess) W1's first 30 runs: the time of each, as JSON on stdout."""
    x, y, weights = W.w1_data()
    step = W.w1_minigraph(minigraph, x, y, weights)
    times = []
    for _ in range(30):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    plan = step.session.plan_for(step.fetches, step.feed)
    print(json.dumps({"times": times, "loops": len(plan._fast_program.fused)}))


def bench_jit():
    """The one-off cost of fusing W1: the run that fuses minus a steady run, in a fresh
    process with an empty loop cache (numba compiles) and again (loops from the cache)."""
    if not fusion.available():
        return None
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, MINIGRAPH_CACHE_DIR=cache)
        for label in ("compiled", "from the disk cache"):
            proc = subprocess.run([sys.executable, __file__, "--jit-probe"], env=env,
                                  capture_output=True, text=True, check=True)
            probe = json.loads(proc.stdout.splitlines()[-1])
            times = probe["times"]
            fused_run = fusion.FUSE_AFTER_RUNS + 1  # index of the run that fuses (0-based)
            steady = statistics.median(times[-5:])
            out[label] = (times[fused_run] - steady, probe["loops"], fused_run + 1)
    return out


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.3f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3f} ms"
    return f"{seconds * 1e6:.2f} µs"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run)")
    parser.add_argument("--write", help="also write the markdown report to this file")
    parser.add_argument("--only", nargs="+", metavar="W", help="run only these workloads")
    parser.add_argument("--jit", action="store_true",
                        help="also measure the one-off cost of fusing W1 (two subprocesses)")
    parser.add_argument("--jit-probe", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.jit_probe:
        return jit_probe()
    tf1 = load_tf1()
    info = machine_info()
    lines = ["| workload | minigraph | numpy | minigraph / numpy | target | tf1 | "
             "minigraph / tf1 |",
             "|---|---|---|---|---|---|---|"]
    started = time.time()

    def row(name, res, target, fmt=fmt_time):
        mg, npv, t = res.get("minigraph"), res.get("numpy"), res.get("tf1")
        ratio_np = f"{mg / npv:.2f}" if mg and npv else "-"
        ratio_tf = f"{mg / t:.2f}" if mg and t else "-"
        lines.append(f"| {name} | {fmt(mg)} | {fmt(npv)} | {ratio_np} | {target} | "
                     f"{fmt(t) if t else '-'} | {ratio_tf} |")
        print(lines[-1], flush=True)

    print("\n".join(lines), flush=True)

    def wanted(name):
        return not args.only or name in args.only

    if wanted("W1"):
        row("W1 MLP step", bench_w1(tf1, args.quick), "≤ 1.10")
    if wanted("W2"):
        row("W2 per op", bench_w2(tf1, args.quick), "≤ 1.5")
    for key, value in (bench_w3(tf1, args.quick) if wanted("W3") else {}).items():
        lines.append(f"| W3 gradients() build, {key} | {value * 1e6:.1f} µs/node | - | - | "
                     "≤ 50 µs/node, linear | - | - |")
        print(lines[-1], flush=True)
    if wanted("W4"):
        row("W4 2000 steps" if not args.quick else "W4 200 steps",
            bench_w4(tf1, args.quick), "≤ 2")
    if wanted("W5"):
        row("W5 peak memory", bench_w5(tf1, args.quick), "≤ 1.2",
            fmt=lambda b: f"{b / 2**20:.1f} MiB" if b else "-")
    if wanted("W6"):
        row("W6 small CNN training step", bench_w6(tf1, args.quick), "≤ 1.5")
    if wanted("W7"):
        row("W7 LSTM language-model step", bench_w7(tf1, args.quick), "≤ 2")
    if wanted("W8"):
        row("W8 embedding 50000x128, 32 ids, GD step", bench_w8(tf1, args.quick),
            "rows, not table")
    if wanted("W9"):
        w9 = bench_w9(args.quick)
        for n, res in w9.items():
            if n == "peak RSS":
                continue
            lines.append(f"| W9 chain with constants, N = {n}: build / first run / second "
                         f"run | {res['build'] * 1e6:.1f} / {res['first run'] * 1e6:.1f} / "
                         f"{res['second run'] * 1e6:.2f} µs/op (CPU) | - | - | ≤ 25 / ≤ 60 "
                         "µs/op, linear | - | - |")
            print(lines[-1], flush=True)
        lines.append(f"| W9 peak RSS of the process after all sizes (run alone: `--only W9`)"
                     f" | {w9['peak RSS'] / 2**20:.0f} MiB | - | - | ≤ 150 MiB | - | - |")
        print(lines[-1], flush=True)
    if args.jit:
        jit = bench_jit()
        for label, (seconds, loops, run) in (jit or {}).items():
            lines.append(f"| W1 fusing its plan (run {run}), loops {label} | "
                         f"{seconds:.3f} s once ({loops} loops) | - | - | outside the steady "
                         "state | - | - |")
            print(lines[-1], flush=True)
    numba = fused_loops.numba_module() if fusion.enabled() else None
    fused = f"on (numba {numba.__version__})" if numba else "off"
    report = ["## Machine", "", f"- elementwise fusion: {fused}"] + \
        [f"- {k}: {v}" for k, v in info.items()] + [
        f"- TensorFlow: {'present' if tf1 else 'not installed (tf1 columns empty)'}",
        f"- wall time of this run: {time.time() - started:.0f} s", "", "## Results", ""] + lines
    text = "\n".join(report)
    print("\n" + text)
    if args.write:
        with open(args.write, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
