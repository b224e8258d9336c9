"""Where does a training step's time go? Per-op-type kernel time for W1, W4 and W6.

Usage: python benchmarks/profile.py
Uses `Plan.profile`, which times every kernel of the compiled (and, with numba, fused)
plan; a fused group is one entry, `Fused(...)`. The rest of a run is the executor's own
time (feeding, calling, committing, fetching).
"""

from __future__ import annotations

import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads as W  # noqa: E402

import minigraph as tf  # noqa: E402
from minigraph.runtime import fusion  # noqa: E402


def breakdown(name, step, runs):
    for _ in range(fusion.FUSE_AFTER_RUNS + 5):  # past the run where the plan fuses
        step()
    start = time.perf_counter()
    for _ in range(runs):
        step()
    per_run = (time.perf_counter() - start) / runs
    sess = step.session
    plan = sess.plan_for(step.fetches, step.feed)
    timings = plan.profile(sess, [step.feed[t] for t in plan.feed_order], runs)
    by_type = collections.Counter()
    for op, seconds in timings:
        by_type[op.type] += seconds
    kernels = sum(by_type.values())
    print(f"\n{name}: {per_run * 1e6:.1f} µs per run, {len(timings)} kernel calls "
          f"({len(plan.step_ops)} steps before fusion)")
    for op_type, seconds in by_type.most_common(8):
        print(f"  {op_type:<40} {seconds * 1e6:9.1f} µs  {seconds / per_run:6.1%}")
    print(f"  {'executor (feeds, calls, commit, fetch)':<40} "
          f"{max(per_run - kernels, 0) * 1e6:9.1f} µs  {max(per_run - kernels, 0) / per_run:6.1%}")


def main():
    x, y, weights = W.w1_data()
    tf.reset_default_graph()
    breakdown("W1 MLP step", W.w1_minigraph(tf, x, y, weights), 50)
    x, y = W.w4_data()
    tf.reset_default_graph()
    breakdown("W4 logistic-regression step", W.w4_minigraph(tf, x, y), 2000)
    x, y, params = W.w6_data()
    tf.reset_default_graph()
    breakdown("W6 small CNN training step", W.w6_minigraph(tf, x, y, params), 10)


if __name__ == "__main__":
    main()
