"""Small run and build semantics checked against TF 1.x (issue 12, items 9 and 10).

The cases live in tests/data/record_run_semantics.py (each a function of the `tf` module);
TF's answers, recorded by that script, are in tests/data/run_semantics.json. Every case must
give TF's answer, except the deliberate differences in DIFFERENT (documented in
docs/tf1_compat.md and docs/common_errors.md).
"""

import importlib.util
import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

DATA = pathlib.Path(__file__).resolve().parent / "data"
RECORDED = json.loads((DATA / "run_semantics.json").read_text())["cases"]
_spec = importlib.util.spec_from_file_location("record_run_semantics",
                                               DATA / "record_run_semantics.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

# case -> (TF's recorded answer, minigraph's answer, why they differ)
DIFFERENT = {
    "huge_python_int_list_fed_to_int32": (
        [0], {"error": "TypeError"},
        "TF wraps 2**40 to 0 silently; minigraph refuses it as TF does for a scalar"),
    "transpose_with_a_repeated_axis": (
        {"error": "InvalidArgumentError"}, {"error": "ValueError"},
        "a constant perm is checked when the graph is built, not when it runs"),
}


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-6) or (np.isnan(a) and np.isnan(b))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def test_every_case_was_recorded():
    assert sorted(RECORDED) == sorted(case.__name__ for case in cases.CASES)


@pytest.mark.parametrize("case", cases.CASES, ids=lambda case: case.__name__)
def test_case_gives_tf_answer(case):
    got = cases.record(tf, case)
    recorded = RECORDED[case.__name__]
    if case.__name__ in DIFFERENT:
        tf_answer, ours, _ = DIFFERENT[case.__name__]
        assert recorded == tf_answer and got == ours
    else:
        assert same(got, recorded), f"minigraph {got!r} vs TF {recorded!r}"


def test_errors_say_what_to_do():
    x, y = tf.placeholder(tf.float32, [1]), tf.placeholder(tf.float32, [1])
    i = tf.placeholder(tf.int32, [1])
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="Key had 2 elements, but value had 1 elements"):
            sess.run(x, {(x, y): [1.0]})
        with pytest.raises(TypeError, match="is not compatible with Tensor type.*tf.int64"):
            sess.run(i, {i: [2**40]})
    with pytest.raises(ValueError, match="'bad name' is not a valid node name"):
        tf.constant(1.0, name="bad name/")
    with pytest.raises(TypeError, match="learning_rate must be a floating-point value"):
        tf.train.FtrlOptimizer(1).minimize(tf.Variable(1.0) * 1.0)
    with pytest.raises(TypeError, match="Input 'alpha' of 'ApplyProximalGradientDescent' Op "
                                        "has type float64 that does not match type float32"):
        tf.train.ProximalGradientDescentOptimizer(np.float64(0.1)).minimize(
            tf.Variable(1.0) * 1.0)
    with pytest.raises(ValueError, match="Invalid value nan received for `rate`"):
        tf.layers.dropout(tf.ones([2]), rate=float("nan"), training=True)


def test_proximal_gradient_descent_python_float_follows_a_float64_variable():
    """TF1 note in the optimizer: TF makes 0.1 float32 and fails for a float64 variable."""
    w = tf.Variable([1.0, 2.0], dtype=tf.float64)
    step = tf.train.ProximalGradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w * w))
    with tf.Session() as sess:
        sess.run(w.initializer)
        sess.run(step)
        np.testing.assert_allclose(sess.run(w), [0.8, 1.6])


def test_transpose_gradient_with_negative_perm():
    from minigraph.gradient_checker import check_gradients

    x = tf.placeholder(tf.float64, [2, 3, 4])
    perm = tf.placeholder(tf.int32, [3])
    value = np.random.default_rng(0).normal(size=(2, 3, 4))
    with tf.Session() as sess:
        check_gradients(tf.transpose(x, [-1, 0, 1]) ** 2, [x], [value])  # TF fails here
        grad, = tf.gradients(tf.reduce_sum(tf.transpose(x, perm) ** 2), x)
        with pytest.raises(tf.errors.InvalidArgumentError, match="not a permutation"):
            sess.run(grad, {x: value, perm: [-1, 0, -2]})  # TF: InvertPermutation fails too


def test_dropout_with_noise_shape_keeps_whole_rows():
    keep = tf.placeholder(tf.float32, [])
    y = tf.nn.dropout(tf.ones([50, 4]), keep, noise_shape=[50, 1], seed=1)
    with tf.Session() as sess:
        out = sess.run(y, {keep: 0.5})
        assert set(np.unique(out)) == {0.0, 2.0} and (out == out[:, :1]).all()
        assert not sess.run(y, {keep: float("nan")}).any()
