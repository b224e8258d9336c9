"""Record TF 1.x values and gradients of while loops and their family into loops.json.

Run by hand in a venv with TensorFlow (never in CI):
  TF_USE_LEGACY_KERAS=1 /work/tfvenv/bin/python tests/data/record_loops.py
tests/ops/test_while_loop.py and tests/ops/test_functional_ops.py build the same graphs with
minigraph and compare.
"""

import json
import os

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

X0 = np.array([[0.5, -1.0, 0.25], [1.5, 0.2, -0.3]])
W0 = np.array([[0.3, -0.2, 0.1], [0.05, 0.4, -0.25], [-0.15, 0.2, 0.35]])
ELEMS = np.array([[1.0, 2.0], [0.5, -1.0], [-0.25, 0.75], [2.0, 0.1]])


def power_loop():
    x = tf.placeholder(tf.float64, [], name="x")
    _, y = tf.while_loop(lambda i, a: i < 5, lambda i, a: (i + 1, a * x),
                         [0, tf.constant(1.0, tf.float64)])
    return {"x": 1.3}, [y] + tf.gradients(y, [x])


def data_dependent_trips():
    x = tf.placeholder(tf.float64, [], name="x")
    i, y = tf.while_loop(lambda i, a: a < 10.0, lambda i, a: (i + 1, a * x + 1.0), [0, x])
    return {"x": 1.3}, [i, y] + tf.gradients(y, [x])


def nested_loops():
    x = tf.placeholder(tf.float64, [], name="x")

    def outer(i, a):
        _, b = tf.while_loop(lambda j, b: j < i, lambda j, b: (j + 1, b * x + 1.0), [0, a])
        return i + 1, tf.sin(b)

    _, y = tf.while_loop(lambda i, a: i < 4, outer, [0, x])
    return {"x": 0.9}, [y] + tf.gradients(y, [x])


def tanh_rnn():
    x0 = tf.placeholder(tf.float64, [2, 3], name="x0")
    w = tf.placeholder(tf.float64, [3, 3], name="w")
    _, h = tf.while_loop(lambda i, h: i < 6, lambda i, h: (i + 1, tf.tanh(tf.matmul(h, w))),
                         (0, x0), maximum_iterations=4)
    loss = tf.reduce_sum(h * h)
    return {"x0": X0, "w": W0}, [loss] + tf.gradients(loss, [x0, w])


def cond_in_body():
    x = tf.placeholder(tf.float64, [], name="x")
    body = lambda i, a: (i + 1, tf.cond(tf.equal(i % 2, 0), lambda: a * x,  # noqa: E731
                                        lambda: tf.sin(a)))
    _, y = tf.while_loop(lambda i, a: i < 6, body, [0, x])
    return {"x": 0.9}, [y] + tf.gradients(y, [x])


def scan_cumulative():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    w = tf.placeholder(tf.float64, [2], name="w")
    ys = tf.scan(lambda acc, x: tf.tanh(acc * w + x), e, initializer=tf.zeros([2], tf.float64))
    loss = tf.reduce_sum(ys * ys)
    return {"e": ELEMS, "w": W0[0, :2]}, [ys] + tf.gradients(loss, [e, w])


def scan_reverse_no_init():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    ys = tf.scan(lambda acc, x: acc * x + 1.0, e, reverse=True)
    return {"e": ELEMS}, [ys] + tf.gradients(tf.reduce_sum(ys), [e])


def map_fn_structure():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    a, b = tf.map_fn(lambda x: (tf.reduce_sum(x * x), tf.cast(tf.argmax(x), tf.int32)), e,
                     dtype=(tf.float64, tf.int32))
    return {"e": ELEMS}, [a, b] + tf.gradients(a, [e])


def folds():
    e = tf.placeholder(tf.float64, [4, 2], name="e")
    left = tf.foldl(lambda acc, x: acc * 0.5 + x, e)
    right = tf.foldr(lambda acc, x: acc * 0.5 + x, e, initializer=tf.ones([2], tf.float64))
    loss = tf.reduce_sum(left * right)
    return {"e": ELEMS}, [left, right] + tf.gradients(loss, [e])


def cases():
    x = tf.placeholder(tf.float64, [], name="x")
    k = tf.placeholder(tf.int32, [], name="k")
    c = tf.case([(tf.less(x, 0.0), lambda: x * 2.0), (tf.less(x, 1.0), lambda: x * 3.0)],
                default=lambda: x * 4.0)
    s = tf.switch_case(k, [lambda: x + 1.0, lambda: x * x, lambda: -x])
    out = [c, s] + tf.gradients(c + s, [x])
    return [({"x": v, "k": kk}, out) for v, kk in ((-1.5, 0), (0.5, 1), (2.0, 2), (0.5, 7))]


def run(builder):
    with tf.Graph().as_default() as g, tf.Session(graph=g) as sess:
        made = builder()
        runs = made if isinstance(made, list) else [made]
        results = []
        for feeds, fetches in runs:
            feed = {g.get_tensor_by_name(k + ":0"): v for k, v in feeds.items()}
            values = sess.run(fetches, feed)
            results.append({"feeds": {k: np.asarray(v).tolist() for k, v in feeds.items()},
                            "values": [np.asarray(v).tolist() for v in values]})
        return results


def main():
    builders = [power_loop, data_dependent_trips, nested_loops, tanh_rnn, cond_in_body,
                scan_cumulative, scan_reverse_no_init, map_fn_structure, folds, cases]
    out = {b.__name__: run(b) for b in builders}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loops.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
