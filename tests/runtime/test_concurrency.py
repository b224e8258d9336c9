"""Several threads calling Session.run on one session.

Guarantees (docs/architecture.md): a run reads committed values and commits all its writes
together; a run that writes a variable holds that variable's lock from its first read to its
commit, so concurrent updates of one variable give the same result as running them one after
another. Not guaranteed (as in TF1): a run that only reads sees all variables at one moment.
"""

import threading

import numpy as np

import minigraph as tf


def run_threads(target, n):
    errors = []

    def wrapped(i):
        try:
            target(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_concurrent_reads_give_the_single_threaded_result():
    x = tf.placeholder(tf.float32, [None, 4])
    w = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3))
    y = tf.nn.relu(tf.matmul(x, w) - 20.0)
    data = [np.random.default_rng(i).normal(size=(5, 4)).astype(np.float32) for i in range(8)]
    with tf.Session() as sess:
        sess.run(w.initializer)
        expected = [sess.run(y, {x: d}) for d in data]
        results = {}

        def work(i):
            for _ in range(50):
                results[i] = sess.run(y, {x: data[i]})
                np.testing.assert_array_equal(results[i], expected[i])

        run_threads(work, len(data))


def test_train_steps_on_disjoint_variables_in_parallel():
    models = []
    for i in range(4):
        v = tf.Variable([1.0, 2.0], name=f"v{i}")
        loss = tf.reduce_sum(v * v)
        models.append((v, tf.train.GradientDescentOptimizer(0.1).minimize(loss)))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())

        def train(i):
            for _ in range(25):
                sess.run(models[i][1])

        run_threads(train, len(models))
        expected = np.array([1.0, 2.0], np.float32)
        for _ in range(25):
            expected = expected - np.float32(0.1) * (2 * expected)
        for v, _ in models:
            np.testing.assert_allclose(sess.run(v), expected, rtol=1e-6)


def test_concurrent_updates_of_one_variable_are_serialized():
    counter = tf.Variable(0, name="counter")
    inc = tf.assign_add(counter, 1)
    n_threads, n_steps = 6, 200
    with tf.Session() as sess:
        sess.run(counter.initializer)
        run_threads(lambda i: [sess.run(inc) for _ in range(n_steps)], n_threads)
        assert sess.run(counter) == n_threads * n_steps


def test_readers_see_committed_values_while_a_writer_runs():
    v = tf.Variable(0.0)
    step = tf.assign_add(v, 1.0)
    doubled = v * 2.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        seen = []

        def reader(_):
            last = -1.0
            for _ in range(300):
                value = sess.run(doubled)
                assert value % 2.0 == 0.0 and value >= last  # committed, never torn or older
                last = value
            seen.append(last)

        writer = threading.Thread(target=lambda: [sess.run(step) for _ in range(300)])
        writer.start()
        run_threads(reader, 3)
        writer.join()
        assert sess.run(v) == 300.0 and len(seen) == 3


def test_a_reading_run_can_see_two_variables_from_different_steps(monkeypatch):
    """Not guaranteed (docs/architecture.md, as in TF1): a run that only reads takes no lock
    and reads each variable when its step runs, so a training step committed between two
    reads shows up in the second one only."""
    a, b = tf.Variable(0.0, name="a"), tf.Variable(0.0, name="b")
    step = tf.group(a.assign_add(1.0), b.assign_add(1.0))
    p = tf.placeholder(tf.float32, [])
    first = a + 0.0                      # reads a
    mid = tf.square(first * 0.0 + p)     # then the (blocking) Square runs
    second = b + mid * 0.0               # then b is read
    square = mid.op.op_def
    real, between, resume = square.compute, threading.Event(), threading.Event()

    def blocking(x, **attrs):
        if threading.current_thread().name == "reader":
            between.set()
            resume.wait(10)
        return real(x, **attrs)

    monkeypatch.setattr(square, "compute", staticmethod(blocking))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        seen = {}
        reader = threading.Thread(name="reader", target=lambda: seen.update(
            values=sess.run([first, second], {p: 0.0})))
        reader.start()
        assert between.wait(10)
        sess.run(step)  # commits a = b = 1 while the reader is between its two reads
        resume.set()
        reader.join(10)
        assert seen["values"] == [0.0, 1.0]  # a from before the step, b from after it
        assert sess.run([a, b]) == [1.0, 1.0]
