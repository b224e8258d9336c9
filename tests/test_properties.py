"""Property tests: random expression graphs agree with numpy, with finite differences, and with
themselves when run again (cached plan) or in a fresh Session.

An expression is a small tree of tuples, drawn by hypothesis so that every node's shape
broadcasts to a target shape. The same tree is built as a minigraph graph and evaluated
directly with numpy. Divisions divide by `1 + b*b` and `exp` takes a `tanh`, so values stay
finite and smooth enough for central differences in float64.
"""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import minigraph as tf
from minigraph.gradient_checker import check_gradients

SETTINGS = settings(max_examples=25, deadline=None)
UNARY = ("square", "tanh", "sigmoid", "exp_tanh", "negative")
BINARY = ("add", "subtract", "multiply", "safe_divide", "maximum")


# ---------------------------------------------------------------------------------------
# Drawing expressions
# ---------------------------------------------------------------------------------------
@st.composite
def shapes_broadcasting_to(draw, target):
    """A shape that broadcasts to `target`: drop leading dims, turn some dims into 1."""
    rank = draw(st.integers(0, len(target)))
    tail = target[len(target) - rank:]
    return tuple(draw(st.sampled_from([d, 1])) for d in tail)


@st.composite
def expressions(draw, target, depth):
    """A tree whose value broadcasts to `target`; returns (tree, shape of its value)."""
    kinds = ["leaf"] if depth == 0 else ["leaf", "unary", "binary", "binary", "reduce"]
    if depth > 0 and len(target) >= 2:
        kinds.append("matmul")
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        shape = draw(shapes_broadcasting_to(target))
        return ("leaf", shape), shape
    if kind == "unary":
        child, shape = draw(expressions(target, depth - 1))
        return (draw(st.sampled_from(UNARY)), child), shape
    if kind == "binary":
        (a, sa), (b, sb) = draw(expressions(target, depth - 1)), draw(expressions(target,
                                                                                   depth - 1))
        return (draw(st.sampled_from(BINARY)), a, b), np.broadcast_shapes(sa, sb)
    if kind == "reduce":  # keepdims=True: reduced dims become 1 and still broadcast
        wider = tuple(draw(st.integers(1, 3)) if draw(st.booleans()) else d for d in target)
        child, shape = draw(expressions(wider, depth - 1))
        if not shape:
            return child, shape
        offset = len(target) - len(shape)
        needed = {i for i, d in enumerate(shape) if d not in (1, target[offset + i])}
        extra = draw(st.lists(st.integers(0, len(shape) - 1), min_size=0 if needed else 1,
                              max_size=len(shape), unique=True))
        axes = needed | set(extra)
        op = draw(st.sampled_from(["reduce_sum", "reduce_mean"]))
        reduced = tuple(1 if i in axes else d for i, d in enumerate(shape))
        return (op, child, tuple(sorted(axes))), reduced
    # matmul of exact rank-2 operands [m, k] x [k, n]; `+ leaf` makes a child's shape exact.
    m, n = draw(st.sampled_from([target[-2], 1])), draw(st.sampled_from([target[-1], 1]))
    k = draw(st.integers(1, 3))
    left, _ = draw(expressions((m, k), depth - 1))
    right, _ = draw(expressions((k, n), depth - 1))
    return ("matmul", ("add", left, ("leaf", (m, k))), ("add", right, ("leaf", (k, n)))), (m, n)


@st.composite
def programs(draw):
    """(tree, final reduction or None, input seed): the full random program."""
    target = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=3)))
    tree, shape = draw(expressions(target, draw(st.integers(1, 3))))
    final = None
    if shape and draw(st.booleans()):
        axes = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1,
                             max_size=len(shape), unique_by=lambda a: a % len(shape)))
        final = (draw(st.sampled_from(["reduce_sum", "reduce_mean"])), tuple(axes),
                 draw(st.booleans()))
    return tree, final, draw(st.integers(0, 2**32 - 1))


# ---------------------------------------------------------------------------------------
# Two interpreters of the same tree
# ---------------------------------------------------------------------------------------
def leaves(tree):
    """The leaf nodes in a fixed (depth-first) order."""
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        if node[0] == "leaf":
            out.append(node)
        else:
            stack.extend(reversed([c for c in node[1:] if isinstance(c, tuple)
                                   and c and isinstance(c[0], str)]))
    return out


def build(node, inputs, dtype):
    """The minigraph graph of `node`; `inputs` yields one placeholder per leaf, in order."""
    kind = node[0]
    if kind == "leaf":
        return next(inputs)
    if kind in UNARY:
        x = build(node[1], inputs, dtype)
        return {"square": tf.square, "tanh": tf.tanh, "sigmoid": tf.sigmoid,
                "exp_tanh": lambda t: tf.exp(tf.tanh(t)), "negative": tf.negative}[kind](x)
    if kind in ("reduce_sum", "reduce_mean"):
        return getattr(tf, kind)(build(node[1], inputs, dtype), axis=list(node[2]),
                                 keepdims=True)
    a, b = build(node[1], inputs, dtype), build(node[2], inputs, dtype)
    if kind == "safe_divide":
        return tf.divide(a, 1.0 + tf.square(b))
    if kind == "matmul":
        return tf.matmul(a, b)
    return getattr(tf, kind)(a, b)


def evaluate(node, values):
    """The numpy value of `node`; `values` yields one array per leaf, in order."""
    kind = node[0]
    if kind == "leaf":
        return next(values)
    if kind in UNARY:
        x = evaluate(node[1], values)
        return {"square": np.square, "tanh": np.tanh, "sigmoid": lambda t: 1 / (1 + np.exp(-t)),
                "exp_tanh": lambda t: np.exp(np.tanh(t)), "negative": np.negative}[kind](x)
    if kind in ("reduce_sum", "reduce_mean"):
        fn = np.sum if kind == "reduce_sum" else np.mean
        return fn(evaluate(node[1], values), axis=node[2], keepdims=True)
    a, b = evaluate(node[1], values), evaluate(node[2], values)
    return {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
            "safe_divide": lambda p, q: p / (1.0 + q * q), "maximum": np.maximum,
            "matmul": np.matmul}[kind](a, b)


def make(program, dtype=tf.float64):
    """Build the program; return (output tensor, placeholders, input values, numpy result)."""
    tree, final, seed = program
    rng = np.random.default_rng(seed)
    shapes = [leaf[1] for leaf in leaves(tree)]
    np_dtype = dtype.as_numpy_dtype
    values = [rng.uniform(-2.0, 2.0, size=s).astype(np_dtype) for s in shapes]
    placeholders = [tf.placeholder(dtype, s, name=f"in{i}") for i, s in enumerate(shapes)]
    out = build(tree, iter(placeholders), dtype)
    expected = evaluate(tree, iter([v.astype(np.float64) for v in values]))
    if final is not None:
        op, axes, keepdims = final
        out = getattr(tf, op)(out, axis=list(axes), keepdims=keepdims)
        expected = (np.sum if op == "reduce_sum" else np.mean)(expected, axis=axes,
                                                                keepdims=keepdims)
    return out, placeholders, values, np.asarray(expected)


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------
@SETTINGS
@given(programs())
def test_session_agrees_with_numpy(program):
    tf.reset_default_graph()
    out, placeholders, values, expected = make(program)
    assert out.shape.as_list() == list(expected.shape)  # static shape inference agrees too
    with tf.Session() as sess:
        got = sess.run(out, dict(zip(placeholders, values, strict=True)))
    assert np.shape(got) == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@SETTINGS
@given(programs())
def test_float32_graph_agrees_with_float64_numpy(program):
    tf.reset_default_graph()
    out, placeholders, values, expected = make(program, tf.float32)
    with tf.Session() as sess:
        got = sess.run(out, dict(zip(placeholders, values, strict=True)))
    assert np.asarray(got).dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=2e-4, atol=2e-4)


@SETTINGS
@given(programs())
def test_gradients_agree_with_finite_differences(program):
    tf.reset_default_graph()
    out, placeholders, values, expected = make(program)
    # A scalar loss with uneven weights, so every output element's gradient path counts.
    weights = np.random.default_rng(program[2] + 1).uniform(0.5, 1.5, size=expected.shape)
    loss = tf.reduce_sum(out * weights)
    with tf.Session() as sess:
        check_gradients(loss, placeholders, values, delta=1e-6, rtol=1e-5, atol=1e-6,
                        session=sess)


@SETTINGS
@given(programs())
def test_runs_are_repeatable_through_the_cache_and_in_a_fresh_session(program):
    tf.reset_default_graph()
    out, placeholders, values, _ = make(program)
    grads = [g for g in tf.gradients(tf.reduce_sum(out), placeholders) if g is not None]
    feed = dict(zip(placeholders, values, strict=True))
    fetches = [out, grads]
    with tf.Session() as sess:
        first = sess.run(fetches, feed)
        second = sess.run(fetches, feed)  # the cached plan
        sess.run(out, feed)  # another signature in between must not disturb the cache
        third = sess.run(fetches, {p: v.copy() for p, v in feed.items()})
    with tf.Session() as fresh:
        fourth = fresh.run(fetches, feed)
    for again in (second, third, fourth):
        np.testing.assert_array_equal(again[0], first[0])
        for g_again, g_first in zip(again[1], first[1], strict=True):
            np.testing.assert_array_equal(g_again, g_first)
    for v, p in zip(values, placeholders, strict=True):  # feeds were not modified in place
        np.testing.assert_array_equal(feed[p], v)
