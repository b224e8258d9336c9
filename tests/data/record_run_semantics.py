"""Record TF 1.x's answers for small run/build semantics (tf.range dtypes, tuple feed keys,
copies of fetched values, names ending in "/", empty softmax, NaN schedule boundaries and
dropout probabilities, negative transpose axes, Ftrl / ProximalGD learning-rate dtypes).

Run by hand with TensorFlow installed; writes run_semantics.json. Every case is a function of
the `tf` module (TensorFlow's or minigraph's) that builds in a fresh graph and returns plain
JSON values; an exception is recorded as {"error": class name}.
tests/test_run_semantics.py runs the same cases with minigraph.
"""

import json
import pathlib

import numpy as np


def _run(tf, fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def _plain(value):
    return np.asarray(value).tolist()


# -- tf.range -------------------------------------------------------------------------------
def range_of_a_float(tf):
    r = tf.range(6.0)
    return [r.dtype.name, r.shape.as_list(), _plain(_run(tf, r))]


def range_beyond_int32(tf):
    r = tf.range(0, 2**33)
    return [r.dtype.name, r.shape.as_list()]


def range_of_int64_values(tf):
    r = tf.range(2**33, 2**33 + 3)
    return [r.dtype.name, _plain(_run(tf, r))]


def range_with_a_float_delta(tf):
    r = tf.range(1, 5, 0.5)
    return [r.dtype.name, _plain(_run(tf, r))]


def range_ops(tf):
    tf.range(6.0)
    return [[op.name, op.type] for op in tf.get_default_graph().get_operations()]


def range_of_mixed_tensors(tf):
    r = tf.range(tf.constant(0), tf.constant(3.0))
    return [r.dtype.name, _plain(_run(tf, r))]


# -- feeding and fetching -------------------------------------------------------------------
def tuple_key_with_too_few_values(tf):
    x = tf.placeholder(tf.float32, [])
    y = tf.placeholder(tf.float32, [])
    return _plain(_run(tf, x + 0.0, {(x, y): [1.0]}))


def tuple_key_with_arrays(tf):
    x = tf.placeholder(tf.float32, [1])
    y = tf.placeholder(tf.float32, [1])
    return _plain(_run(tf, x + y, {(x, y): (np.array([1.0]), np.array([2.0]))}))


def huge_python_int_fed_to_int32_scalar(tf):
    i = tf.placeholder(tf.int32, [])
    return _plain(_run(tf, i + 0, {i: 2**40}))


def huge_python_int_list_fed_to_int32(tf):
    i = tf.placeholder(tf.int32, [1])
    return _plain(_run(tf, i + 0, {i: [2**40]}))


def identity_of_a_fed_array(tf):
    f = tf.placeholder(tf.float32, [2])
    arr = np.array([1.0, 2.0], np.float32)
    out = _run(tf, tf.identity(f), {f: arr})
    same = out is arr
    arr[0] = 99.0
    return [same, _plain(out)]


def reshape_of_a_fed_array(tf):
    f = tf.placeholder(tf.float32, [2])
    arr = np.array([1.0, 2.0], np.float32)
    out = _run(tf, tf.reshape(f, [2, 1]), {f: arr})
    arr[0] = 99.0
    return _plain(out)


def fetching_the_fed_tensor_itself(tf):
    f = tf.placeholder(tf.float32, [2])
    arr = np.array([1.0, 2.0], np.float32)
    return _run(tf, f, {f: arr}) is arr


def invalid_name_with_a_trailing_slash(tf):
    return tf.constant(1.0, name="bad name/").name


def names_with_trailing_slashes(tf):
    return [tf.constant(1.0, name="ok/").name, tf.constant(1.0, name="x//").name]


def only_a_slash(tf):
    return tf.constant(1.0, name="/").name


# -- softmax over an empty axis -------------------------------------------------------------
def softmax_of_an_empty_axis(tf):
    p = tf.placeholder(tf.float32, [None, None])
    grad, = tf.gradients(tf.reduce_sum(tf.nn.softmax(p)), p)
    out = _run(tf, [tf.nn.softmax(p), tf.nn.log_softmax(p), grad,
                    tf.nn.softmax_cross_entropy_with_logits_v2(labels=p, logits=p)],
               {p: np.zeros((2, 0))})
    return [list(out[0].shape), list(out[1].shape), list(out[2].shape), _plain(out[3])]


# -- piecewise_constant with NaN ------------------------------------------------------------
def _piecewise(tf, boundaries, xs):
    step = tf.placeholder(tf.float32, [])
    rate = tf.train.piecewise_constant(step, boundaries, [1.0, 2.0, 3.0][:len(boundaries) + 1])
    with tf.Session() as sess:
        return [float(sess.run(rate, {step: x})) for x in xs]


def piecewise_with_a_nan_boundary(tf):
    return _piecewise(tf, [float("nan")], [0.0, 5.0])


def piecewise_with_a_nan_second_boundary(tf):
    return _piecewise(tf, [1.0, float("nan")], [0.0, 1.5, 5.0])


def piecewise_at_a_nan_step(tf):
    return _piecewise(tf, [1.0, 2.0], [float("nan")])


def piecewise_without_nan(tf):
    return _piecewise(tf, [1.0, 2.0], [0.0, 1.0, 1.5, 2.0, 7.0])


# -- dropout with odd keep probabilities ----------------------------------------------------
def dropout_keep_prob_nan(tf):
    return _plain(_run(tf, tf.nn.dropout(tf.ones([4]), keep_prob=float("nan"))))


def dropout_rate_nan(tf):
    return _plain(_run(tf, tf.nn.dropout(tf.ones([4]), rate=float("nan"))))


def dropout_fed_keep_probs(tf):
    keep = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(tf.ones([4]), keep_prob=keep)
    with tf.Session() as sess:
        return [_plain(sess.run(y, {keep: k})) for k in (float("nan"), 0.0, -1.0, 2.0, 1.0)]


def layers_dropout_rate_nan(tf):
    return _plain(_run(tf, tf.layers.dropout(tf.ones([4]), rate=float("nan"), training=True)))


def dropout_keep_prob_zero(tf):
    return _plain(_run(tf, tf.nn.dropout(tf.ones([4]), keep_prob=0.0)))


# -- transpose with negative axes -----------------------------------------------------------
def transpose_with_negative_perm(tf):
    m = tf.reshape(tf.range(6), [2, 3])
    a, b = tf.transpose(m, [-1, 0]), tf.transpose(m, [-2, -1])
    return [a.shape.as_list(), b.shape.as_list()] + [_plain(v) for v in _run(tf, [a, b])]


def transpose_with_fed_negative_perm(tf):
    m = tf.reshape(tf.range(6), [2, 3])
    perm = tf.placeholder(tf.int32, [2])
    return _plain(_run(tf, tf.transpose(m, perm), {perm: [-1, 0]}))


def transpose_with_a_repeated_axis(tf):
    return _plain(_run(tf, tf.transpose(tf.zeros([2, 3]), [1, 1])))


# -- learning-rate dtypes of Ftrl and ProximalGradientDescent -------------------------------
def _one_step(tf, optimizer, rate):
    w = tf.Variable([1.0, 2.0])
    step = getattr(tf.train, optimizer)(rate() if callable(rate) else rate).minimize(
        tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(step)
        return _plain(sess.run(w))


def _rate_cases(optimizer):
    rates = {"int": 1, "bool": True, "numpy_float64": np.float64(0.1), "float": 0.1,
             "numpy_float32": np.float32(0.1)}
    cases = []
    for label, rate in rates.items():
        def case(tf, rate=rate):
            return _one_step(tf, optimizer, rate)
        case.__name__ = f"{optimizer}_rate_{label}"
        cases.append(case)

    def float64_tensor(tf):
        return _one_step(tf, optimizer, lambda: tf.constant(0.1, tf.float64))

    float64_tensor.__name__ = f"{optimizer}_rate_float64_tensor"
    return cases + [float64_tensor]


CASES = [range_of_a_float, range_beyond_int32, range_of_int64_values, range_with_a_float_delta,
         range_ops, range_of_mixed_tensors, tuple_key_with_too_few_values,
         tuple_key_with_arrays, huge_python_int_fed_to_int32_scalar,
         huge_python_int_list_fed_to_int32, identity_of_a_fed_array, reshape_of_a_fed_array,
         fetching_the_fed_tensor_itself, invalid_name_with_a_trailing_slash,
         names_with_trailing_slashes, only_a_slash, softmax_of_an_empty_axis,
         piecewise_with_a_nan_boundary, piecewise_with_a_nan_second_boundary,
         piecewise_at_a_nan_step, piecewise_without_nan, dropout_keep_prob_nan,
         dropout_rate_nan, dropout_fed_keep_probs, layers_dropout_rate_nan,
         dropout_keep_prob_zero, transpose_with_negative_perm,
         transpose_with_fed_negative_perm, transpose_with_a_repeated_axis,
         *_rate_cases("FtrlOptimizer"), *_rate_cases("ProximalGradientDescentOptimizer")]


def record(tf, case):
    """The case's result, or {"error": class name} if it raised."""
    with tf.Graph().as_default():
        try:
            return case(tf)
        except Exception as e:  # noqa: BLE001 - the class is the recorded result
            return {"error": type(e).__name__}


if __name__ == "__main__":
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    data = {"tensorflow": tf.__version__,
            "cases": {case.__name__: record(tf, case) for case in CASES}}
    out = pathlib.Path(__file__).with_name("run_semantics.json")
    out.write_text(json.dumps(data, indent=1, allow_nan=True) + "\n")
    print(json.dumps(data, indent=1))
