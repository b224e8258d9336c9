"""Ctrl-C storms: a run interrupted at any moment leaves the session usable and unchanged.

A child process trains a model with many variables (Adam: each step writes ~200 variables)
while this process sends it SIGINT at random moments, hundreds of times. The child turns each
SIGINT into a KeyboardInterrupt inside `sess.run` (exactly what Ctrl-C does) and keeps
training. Afterwards the child must still complete runs (a leaked variable lock would make
the next training step wait forever) and every step must have been all-or-nothing (counters
updated by the same runs stay equal).
"""

import os
import pathlib
import random
import signal
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]

CHILD = r"""
import faulthandler, os, signal, sys
import numpy as np
import minigraph as tf

armed = False      # a SIGINT raises KeyboardInterrupt only inside the run below
interrupted = 0
stop_file, target = sys.argv[1], int(sys.argv[2])


def on_sigint(signum, frame):
    global armed
    if armed:
        armed = False
        raise KeyboardInterrupt


signal.signal(signal.SIGINT, on_sigint)

x = tf.constant(np.ones((2, 3), np.float32))
loss = 0.0
for i in range(64):
    w = tf.Variable(np.full((3, 3), 0.01 * i, np.float32), name=f"w{i}")
    loss = loss + tf.reduce_sum(tf.matmul(x, w) ** 2)
step = tf.train.get_or_create_global_step()
counters = [tf.Variable(0, name=f"count{i}") for i in range(8)]
train = tf.group(tf.train.AdamOptimizer(1e-3).minimize(loss, global_step=step),
                 *[c.assign_add(1) for c in counters])
sess = tf.Session()
sess.run(tf.global_variables_initializer())
sess.run(train)
print("ready", flush=True)
runs = 0
while interrupted < target and not os.path.exists(stop_file):
    faulthandler.dump_traceback_later(20, exit=True)  # a deadlock ends the child with a trace
    try:
        armed = True
        sess.run(train)
        armed = False
        runs += 1
    except KeyboardInterrupt:
        interrupted += 1
armed = False
signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent may still be signalling
for _ in range(3):
    sess.run(train)
values = sess.run(counters + [step])
assert len(set(values)) == 1, values               # every run was all-or-nothing
print("done", runs, interrupted, values[-1], flush=True)
"""


def test_session_survives_a_storm_of_keyboard_interrupts(tmp_path):
    """The child stops its storm loop after TARGET interrupts landed inside runs (about 2 s
    on an idle machine); the parent gives up on a busier one after DEADLINE seconds."""
    target, deadline = 150, 40.0
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    stop_file = tmp_path / "stop"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(stop_file), str(target)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        rng, start = random.Random(12), time.monotonic()
        while child.poll() is None and time.monotonic() - start < deadline:
            time.sleep(rng.uniform(0.0, 0.004))
            child.send_signal(signal.SIGINT)
        stop_file.touch()
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, err
    word, runs, interrupted, final_step = out.split()
    assert word == "done"
    assert int(interrupted) >= target, out  # the storm really landed inside runs
    assert int(final_step) >= int(runs) + 4
