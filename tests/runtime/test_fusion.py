"""Elementwise fusion (runtime/fusion.py): fused plans give the same bits as unfused ones.

Every comparison runs the same graph twice, once with fusion off (MINIGRAPH_FUSION=0) and
once fused from the third run on (FUSE_AFTER_RUNS = 0), and requires bit-identical results:
per fusable op on special values (NaN, infinities, signed zeros, subnormals), on randomly
generated elementwise graphs (hypothesis), on optimizer updates over many steps, and on the
example programs. Needs numba (the `fast` extra); skipped without it.
"""

import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigraph as tf
from minigraph.ops import nn_ops, unary_ops
from minigraph.runtime import fused_loops, fusion

pytest.importorskip("numba")

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fuse_early(monkeypatch, tmp_path_factory):
    monkeypatch.setattr(fusion, "FUSE_AFTER_RUNS", 0)
    monkeypatch.setenv("MINIGRAPH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


def run_both(build, runs=4):
    """Run `build()` -> (session, fetches, feed) `runs` times unfused and fused; return
    (unfused results, fused results, the fused plan)."""
    results = []
    for mode in ("0", "1"):
        os.environ["MINIGRAPH_FUSION"] = mode
        try:
            tf.reset_default_graph()
            sess, fetches, feed = build()
            values = [sess.run(fetches, feed) for _ in range(runs)]
            plan = sess.plan_for(fetches, feed)
        finally:
            del os.environ["MINIGRAPH_FUSION"]
        results.append(values)
    return results[0], results[1], plan


def same_bits(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        both_nan = np.isnan(a) & np.isnan(b)
        return bool(np.all(both_nan | ((a == b) & (np.signbit(a) == np.signbit(b)))))
    return bool(np.array_equal(a, b))


def assert_same(unfused, fused):
    for run_a, run_b in zip(unfused, fused, strict=True):
        for a, b in zip(run_a, run_b, strict=True):
            assert same_bits(a, b), (a, b)


def special_values(dtype, n=64, seed=0):
    info = np.finfo(dtype)
    special = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, 2.0, info.tiny,
               info.tiny / 4, -info.tiny / 4, info.max, -info.max, info.eps, 3.0, -3.0]
    rng = np.random.default_rng(seed)
    values = np.concatenate([special, rng.standard_normal(n - len(special)) * 10])
    return values.astype(dtype)


BINARY = {"add": tf.add, "subtract": tf.subtract, "multiply": tf.multiply,
          "truediv": tf.truediv, "squared_difference": tf.squared_difference,
          "add_n": lambda x, y: tf.add_n([x, y, x]), "maximum": tf.maximum,
          "minimum": tf.minimum, "bias_add": lambda x, y: tf.nn.bias_add(x, y[0])}
UNARY = {"relu": tf.nn.relu, "negative": tf.negative, "abs": tf.abs, "sqrt": tf.sqrt,
         "rsqrt": tf.rsqrt, "square": tf.square, "reciprocal": tf.reciprocal,
         "floor": tf.floor, "ceil": tf.ceil,
         "cast": lambda x: tf.cast(x, tf.float64 if x.dtype == tf.float32 else tf.float32)}
COMPARE = {"less": tf.less, "less_equal": tf.less_equal, "greater": tf.greater,
           "greater_equal": tf.greater_equal}


def _grad_ops():
    """TanhGrad, SigmoidGrad, SqrtGrad, ReluGrad as the gradients build them."""
    return {"TanhGrad": lambda y, dy: unary_ops.TanhGrad.apply([y, dy]),
            "SigmoidGrad": lambda y, dy: unary_ops.SigmoidGrad.apply([y, dy]),
            "SqrtGrad": lambda y, dy: unary_ops.SqrtGrad.apply([y, dy]),
            "ReluGrad": lambda g, y: nn_ops.ReluGrad.apply([g, y])}


def unary_of_first(f):
    return lambda x, y: f(x)


def select_by(compare):
    return lambda x, y: tf.where(compare(x, y), x, y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_fusable_op_gives_numpys_bits_on_special_values(dtype):
    values = special_values(dtype)
    x_value = np.repeat(values, len(values)).reshape(len(values), len(values))
    y_value = x_value.T.copy()
    ops = dict(BINARY)
    ops.update(_grad_ops())
    ops.update({k: unary_of_first(f) for k, f in UNARY.items()})
    ops.update({k: select_by(f) for k, f in COMPARE.items()})

    def build():
        x = tf.placeholder(dtype, x_value.shape)
        y = tf.placeholder(dtype, y_value.shape)
        # Each result feeds a Mul by one: the pair fuses, and the op's own output is fetched.
        outs = [f(x, y) for f in ops.values()]
        fetches = [t for v in outs for t in (v, v * tf.cast(1, v.dtype))]
        return tf.Session(), fetches, {x: x_value, y: y_value}

    unfused, fused, plan = run_both(build)
    assert_same(unfused, fused)
    fused_types = {op.type for k in plan._fast_program.fused.values() for op in k.members}
    assert {"AddV2", "Sub", "Mul", "RealDiv", "SquaredDifference", "AddN", "TanhGrad",
            "SigmoidGrad", "SqrtGrad", "ReluGrad", "Neg", "Abs", "Sqrt", "Rsqrt", "Square",
            "Reciprocal", "Cast", "Less", "LessEqual", "Greater", "GreaterEqual",
            "Select", "Maximum", "Minimum", "Relu", "BiasAdd", "Floor", "Ceil"} <= fused_types
    assert_loops_ran(plan)


# -- random elementwise graphs ---------------------------------------------------------------
FUSABLE_BINARY = [tf.add, tf.subtract, tf.multiply, tf.truediv, tf.squared_difference]
OTHER_UNARY = [tf.tanh, tf.exp, tf.sigmoid]  # numpy kernels between fused groups
FUSABLE_UNARY = [tf.negative, tf.abs, tf.square, lambda x: tf.sqrt(tf.abs(x))]


@st.composite
def elementwise_graphs(draw):
    """A recipe: dtype, input shapes (full, scalar, trailing), and a list of ops over
    earlier values; some values are fetched."""
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rows, cols = draw(st.integers(1, 5)), draw(st.integers(1, 6))
    shapes = [(rows, cols), (), (cols,), (rows, cols), (1, cols)]
    n_inputs = draw(st.integers(2, 5))
    ops = []
    for k in range(draw(st.integers(2, 12))):
        available = n_inputs + k
        kind = draw(st.sampled_from(["binary", "binary", "unary", "other", "select"]))
        args = [draw(st.integers(0, available - 1)) for _ in range(2)]
        index = draw(st.integers(0, 4))
        ops.append((kind, index, args))
    fetched = draw(st.lists(st.integers(0, len(ops) - 1), min_size=1, max_size=4))
    return dtype, shapes[:n_inputs], ops, sorted(set(fetched)), draw(st.integers(0, 2**31))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(elementwise_graphs())
def test_random_elementwise_graphs_give_the_same_bits_fused(recipe):
    dtype, shapes, ops, fetched, seed = recipe
    rng = np.random.default_rng(seed)
    feeds_values = [(rng.standard_normal(s) * 3).astype(dtype) for s in shapes]
    for v in feeds_values:  # a few special values among the random ones
        flat = v.reshape(-1)
        if flat.size > 2:
            flat[0], flat[-1] = 0.0, -0.0

    def build():
        inputs = [tf.placeholder(dtype, s) for s in shapes]
        values = list(inputs)
        for kind, index, (a, b) in ops:
            x, y = values[a], values[b]
            if kind == "binary":
                v = FUSABLE_BINARY[index % len(FUSABLE_BINARY)](x, y)
            elif kind == "unary":
                v = FUSABLE_UNARY[index % len(FUSABLE_UNARY)](x)
            elif kind == "other":
                v = OTHER_UNARY[index % len(OTHER_UNARY)](x)
            else:  # where: same shapes only (TF1's Select does not broadcast)
                if x.shape.as_list() != y.shape.as_list():
                    y = x * 2.0
                v = tf.where(tf.greater(x, y), x, y)
            values.append(v)
        produced = values[len(inputs):]
        fetches = [produced[i] for i in fetched] + [produced[-1]]
        return tf.Session(), fetches, dict(zip(inputs, feeds_values))

    unfused, fused, _ = run_both(build, runs=3)
    assert_same(unfused, fused)


# -- optimizer updates -------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: tf.train.AdamOptimizer(0.05),
    lambda: tf.train.AdamOptimizer(0.05, beta1=0.8),
    lambda: tf.train.MomentumOptimizer(0.05, 0.9),
    lambda: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True),
    lambda: tf.train.GradientDescentOptimizer(0.05),
], ids=["adam", "adam-beta1", "momentum", "nesterov", "sgd"])
def test_training_steps_with_clipping_match_unfused_bit_for_bit(make):
    rng = np.random.default_rng(3)
    x_value = rng.standard_normal((16, 6)).astype(np.float32)
    y_value = rng.standard_normal((16, 3)).astype(np.float32)
    w0 = rng.standard_normal((6, 3)).astype(np.float32)

    def build():
        x = tf.placeholder(tf.float32, [16, 6])
        y = tf.placeholder(tf.float32, [16, 3])
        w = tf.Variable(w0)
        b = tf.Variable(np.zeros(3, np.float32))
        scale = tf.Variable(1.5)  # a scalar: its value may be stored as a numpy scalar
        h = tf.nn.relu(tf.matmul(x, w) + b) * scale
        loss = tf.reduce_mean(tf.squared_difference(h, y))
        grads = tf.gradients(loss, [w, b, scale])
        clipped, _ = tf.clip_by_global_norm(grads, 0.5)
        train = make().apply_gradients(zip(clipped, [w, b, scale]))
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        return sess, [train, loss, w, b, scale], {x: x_value, y: y_value}

    unfused, fused, plan = run_both(build, runs=40)
    assert_same(unfused, fused)
    types = [k.type for k in plan._fast_program.fused.values()]
    assert any("Apply" in t for t in types), types  # the update joined a fused group
    assert_loops_ran(plan)


def assert_loops_ran(plan):
    """No fused kernel fell back to its members' kernels for good (a loop numba could not
    compile would still give the right numbers, only slowly)."""
    for kernel in plan._fast_program.fused.values():
        assert kernel.call.__globals__["broken"] is False, kernel.type


def test_fused_source_shows_each_loop_and_one_line_per_group():
    x = tf.placeholder(tf.float32, [8])
    y = (x * 2.0 + 1.0) / 3.0
    sess = tf.Session()
    plan = sess.plan_for([y], {x: np.ones(8, np.float32)})
    source = plan.fused_source
    assert "# fused_1: mul, add, truediv in one loop:" in source
    assert "truediv = fused_1(Placeholder, mul_y, add_y, truediv_y)  # truediv" in source
    assert "Mul(" not in source.split("def run")[1]
    assert "RealDiv(" in plan.source  # the plain source is unchanged


def test_a_variable_of_another_size_runs_the_members_kernels():
    # Values computed in the run have the shapes the plan was specialised to; a variable's
    # value is checked, and one of another size runs the members' own kernels.
    v = tf.Variable(np.ones(4, np.float32))
    y = tf.sqrt(v * v + 1.0)
    sess = tf.Session()
    plan = sess.plan_for([y], {})
    assert "= fused_1(read(Variable), add_y)" in plan.fused_source
    kernel = plan._fused.fused["fused_1"]
    wide = np.arange(6, dtype=np.float32)
    out = kernel.call(wide, np.asarray(np.float32(1.0)))
    np.testing.assert_array_equal(out, np.sqrt(wide * wide + np.float32(1.0)))
    with pytest.raises(ValueError) as info:
        kernel.call(np.ones((2, 3), np.float32), np.ones(4, np.float32))
    assert info.value.fused_member.name == "add"  # the error names the member that raised


def test_off_switch_and_no_numba_leave_the_plan_unfused(monkeypatch):
    x = tf.placeholder(tf.float32, [8])
    y = x * 2.0 + 1.0
    sess = tf.Session()
    feed = {x: np.ones(8, np.float32)}
    monkeypatch.setenv("MINIGRAPH_FUSION", "0")
    for _ in range(4):
        sess.run(y, feed)
    plan = sess.plan_for([y], feed)
    assert plan._fast_program is plan.program
    # TF1's switch for its JIT turns fusion off for one session.
    monkeypatch.delenv("MINIGRAPH_FUSION")
    off = tf.ConfigProto(graph_options=tf.GraphOptions(optimizer_options=tf.OptimizerOptions(
        global_jit_level=tf.OptimizerOptions.OFF)))
    for config, fused in ((off, False), (tf.ConfigProto(), True)):
        sess = tf.Session(config=config)
        for _ in range(4):
            sess.run(y, feed)
        plan = sess.plan_for([y], feed)
        assert (plan._fast_program is not plan.program) is fused
    monkeypatch.setattr(fused_loops, "_numba", False)  # as if numba were not installed
    assert not fusion.available() and not fusion.enabled()


@pytest.mark.parametrize("example", ["linear_regression", "logistic_regression",
                                     "seed_program", "train_char_lstm", "train_digits",
                                     "train_cnn_digits"])
def test_examples_print_the_same_numbers_fused(example, tmp_path):
    if example in ("train_digits", "train_cnn_digits"):
        pytest.importorskip("sklearn")  # their data: scikit-learn's bundled digits
    args = ["--out", "out"] if example == "train_digits" else []
    outputs = []
    for mode in ("0", "1"):
        env = dict(os.environ, MINIGRAPH_FUSION=mode, MINIGRAPH_FUSE_AFTER="0",
                   MINIGRAPH_CACHE_DIR=str(tmp_path), OPENBLAS_NUM_THREADS="1",
                   PYTHONPATH=str(ROOT))
        proc = subprocess.run([sys.executable, str(ROOT / "examples" / f"{example}.py"),
                               *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert list((tmp_path / "fused").glob("loop_*.py"))  # loops were compiled and used


def test_bias_add_nchw_is_not_read_as_a_trailing_broadcast():
    # channels (axis 1) == width (last axis): a trailing-axis loop would add the wrong bias.
    rng = np.random.default_rng(5)
    value = rng.standard_normal((2, 3, 4, 3)).astype(np.float32)
    bias = np.array([1.0, 10.0, 100.0], np.float32)

    def build():
        x = tf.placeholder(tf.float32, value.shape)
        y = tf.nn.relu(tf.nn.bias_add(x * 2.0, bias, data_format="NCHW"))
        return tf.Session(), [y], {x: value}

    unfused, fused, _ = run_both(build)
    assert_same(unfused, fused)
    np.testing.assert_array_equal(fused[-1][0], np.maximum(value * 2 + bias[:, None, None], 0))


def test_a_loop_that_cannot_compile_warns_and_runs_the_numpy_kernels(monkeypatch):
    def damaged(source):
        def loop(*args):
            raise ModuleNotFoundError("a damaged loop cache")
        return loop

    monkeypatch.setattr(fused_loops, "_jit", damaged)
    x = tf.placeholder(tf.float32, [8])
    y = tf.sqrt(x * x + 1.0)
    sess = tf.Session()
    feed = {x: np.arange(8, dtype=np.float32)}
    for _ in range(2):
        sess.run(y, feed)
    with pytest.warns(RuntimeWarning, match="could not compile a fused loop"):
        value = sess.run(y, feed)
    np.testing.assert_array_equal(value, np.sqrt(feed[x] * feed[x] + np.float32(1)))
    plan = sess.plan_for([y], feed)
    assert plan._fast_program.fused  # fused, but falling back for good
    np.testing.assert_array_equal(sess.run(y, feed), value)


def test_a_damaged_cache_file_is_compiled_in_memory(monkeypatch, tmp_path):
    monkeypatch.setenv("MINIGRAPH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(fused_loops, "_loops", {})
    source = "def loop(rows, inner, a0, o0):\n    o0[0] = a0[0] * np.float64(3)\n"
    (tmp_path / "fused").mkdir()
    digest = fused_loops.hashlib.sha256(source.encode()).hexdigest()[:20]
    (tmp_path / "fused" / f"loop_{digest}.py").write_text("def loop(:\n")  # not Python
    loop = fused_loops._jit(source)
    out = np.zeros(1)
    loop(1, 1, np.array([2.0]), out)
    assert out[0] == 6.0


def test_a_numba_that_cannot_be_imported_leaves_plans_unfused(monkeypatch):
    monkeypatch.setattr(fused_loops, "_numba", None)
    monkeypatch.setitem(sys.modules, "numba", None)  # `import numba` raises ImportError
    x = tf.placeholder(tf.float32, [8])
    y = x * 2.0 + 1.0
    sess = tf.Session()
    feed = {x: np.ones(8, np.float32)}
    for _ in range(4):
        np.testing.assert_array_equal(sess.run(y, feed), np.full(8, 3.0, np.float32))
    plan = sess.plan_for([y], feed)
    assert plan._fast_program is plan.program


def test_the_fused_plan_shown_in_the_docs_is_what_the_example_prints(capsys):
    text = (ROOT / "docs" / "performance.md").read_text()
    section = text[text.index("### Reading a fused plan"):]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "performance.md", "exec"), {})  # noqa: S102 - the doc's own example
    printed = capsys.readouterr().out.splitlines()
    lines = [line for line in shown.splitlines() if line.strip("# ") != "..."]
    assert len(lines) > 15
    for line in lines:
        assert line in printed, line


def test_a_variable_read_is_not_moved_past_a_write_of_it():
    # a = v * 3 reads v before the assign_add; fused into `b` it would run after the write.
    def build():
        v = tf.Variable(np.full(8, 2.0, np.float32))
        a = v * 3.0
        with tf.control_dependencies([a]):
            update = tf.assign_add(v, np.ones(8, np.float32))
        with tf.control_dependencies([update]):
            b = a + 1.0
        sess = tf.Session()
        sess.run(tf.global_variables_initializer())
        return sess, [b], {}

    unfused, fused, plan = run_both(build, runs=4)
    assert_same(unfused, fused)
    np.testing.assert_array_equal(fused[3][0], np.full(8, (2.0 + 3) * 3 + 1, np.float32))
    assert all("Mul" not in k.type for k in plan._fast_program.fused.values())
