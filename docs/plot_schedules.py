"""Draw every learning-rate schedule, with and without a linear warmup, into images/schedules.png.

Run `python docs/plot_schedules.py` after `pip install -e ".[viz]"` (needs matplotlib). Each value
is computed by minigraph itself: one Session.run per step with the step fed to a placeholder.
"""

from __future__ import annotations

import pathlib

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import minigraph as tf  # noqa: E402
from minigraph.warmup import bert_learning_rate, linear_warmup  # noqa: E402

STEPS = np.arange(0, 301)
WARMUP = 30
LR0 = 0.1
OUT = pathlib.Path(__file__).parent / "images" / "schedules.png"


def schedules(step):
    """(title, schedule tensor) pairs, all starting from LR0."""
    train = tf.train
    return [
        ("exponential_decay(20, 0.8, staircase)",
         train.exponential_decay(LR0, step, 20, 0.8, staircase=True)),
        ("natural_exp_decay(100, 1.0)", train.natural_exp_decay(LR0, step, 100, 1.0)),
        ("inverse_time_decay(20, 0.5)", train.inverse_time_decay(LR0, step, 20, 0.5)),
        ("piecewise_constant([100, 200])",
         train.piecewise_constant(step, [100, 200], [LR0, LR0 / 2, LR0 / 10])),
        ("polynomial_decay(100, 0.01, cycle)",
         train.polynomial_decay(LR0, step, 100, 0.01, cycle=True)),
        ("cosine_decay(200, alpha=0.1)", train.cosine_decay(LR0, step, 200, alpha=0.1)),
        ("cosine_decay_restarts(40, m_mul=0.8)",
         train.cosine_decay_restarts(LR0, step, 40, m_mul=0.8)),
        ("linear_cosine_decay(300, 3 periods)",
         train.linear_cosine_decay(LR0, step, 300, num_periods=3.0)),
        ("noisy_linear_cosine_decay(300, var 0.05)",
         train.noisy_linear_cosine_decay(LR0, step, 300, initial_variance=0.05)),
    ]


def evaluate(tensors, step, session):
    return np.array([session.run(tensors, {step: s}) for s in STEPS]).T


def main() -> None:
    tf.reset_default_graph()
    tf.set_random_seed(0)
    step = tf.placeholder(tf.int64, [], name="step")
    panels = schedules(step)
    plain = [lr for _, lr in panels]
    warmed = [linear_warmup(lr, step, WARMUP, LR0) for lr in plain]
    bert = bert_learning_rate(LR0, step, num_train_steps=300, num_warmup_steps=WARMUP)
    with tf.Session() as session:
        values = evaluate(plain + warmed + [bert], step, session)
    count = len(panels)
    fig, axes = plt.subplots(2, 5, figsize=(20, 7.5), sharex=True)
    for i, ((title, _), ax) in enumerate(zip(panels, axes.flat, strict=False)):
        ax.plot(STEPS, values[i], lw=1.6, label="schedule")
        ax.plot(STEPS, values[count + i], lw=1.2, ls="--", label=f"linear_warmup({WARMUP})")
        ax.set_title(title, fontsize=10)
    ax = axes.flat[count]
    ax.plot(STEPS, values[-1], lw=1.6, color="tab:green", label="bert_learning_rate")
    ax.set_title(f"bert_learning_rate(T=300, W={WARMUP})", fontsize=10)
    for ax in axes.flat:
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=min(0.0, ax.get_ylim()[0]))
        ax.legend(fontsize=8, loc="upper right")
    for ax in axes[-1]:
        ax.set_xlabel("global step")
    for ax in axes[:, 0]:
        ax.set_ylabel("learning rate")
    fig.suptitle(f"minigraph learning-rate schedules (learning_rate={LR0}); dashed: "
                 f"with linear warmup over {WARMUP} steps", fontsize=13)
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=80)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
