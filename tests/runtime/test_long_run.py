"""Long runs: many steps of a small model must not grow memory."""

import tracemalloc

import numpy as np

import minigraph as tf


def test_ten_thousand_training_steps_do_not_grow_memory():
    rng = np.random.default_rng(0)
    data = rng.normal(size=(32, 8)).astype(np.float32)
    labels = (data[:, :1] > 0).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 8])
    y = tf.placeholder(tf.float32, [None, 1])
    w = tf.Variable(tf.zeros([8, 1]))
    logits = tf.matmul(x, w)
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits))
    global_step = tf.train.get_or_create_global_step()
    train = tf.train.AdamOptimizer(0.01).minimize(loss, global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        feed = {x: data, y: labels}
        tracemalloc.start()
        # Warm up: plans compiled, buffers allocated, Python's free lists filled (their
        # blocks count as traced memory once they were allocated under tracemalloc).
        for _ in range(4_000):
            sess.run([train, loss], feed)
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            sess.run([train, loss], feed)
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        assert sess.run(global_step) == 14_000
        assert after - before < 16 * 1024, f"memory grew by {after - before} bytes"
