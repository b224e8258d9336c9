"""Math family: forward vs numpy, static shapes and dtypes, gradients, TF1 names and quirks.

Values are TF 1.x's, measured: dtype rules, division, and the gradient rules with their
tie/NaN conventions.
"""

import numpy as np
import pytest

import minigraph as tf
from minigraph.gradient_checker import check_gradients

F64 = tf.float64
rng = np.random.default_rng(7)


def ph(shape, dtype=F64, name=None):
    return tf.placeholder(dtype, shape, name=name)


def grads(y, xs, feed, sess, grad_ys=None):
    """Evaluate tf.gradients(y, xs); None entries stay None."""
    gs = tf.gradients(y, xs, grad_ys=grad_ys)
    return [None if g is None else sess.run(g, feed) for g in gs]


# ---------------------------------------------------------------------------------------
# Elementwise binary ops
# ---------------------------------------------------------------------------------------
A = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.35]])
B = np.array([2.0, -0.75, 1.25])

BINARY = [
    (tf.add, np.add, "AddV2"),
    (tf.subtract, np.subtract, "Sub"),
    (tf.multiply, np.multiply, "Mul"),
    (tf.realdiv, np.true_divide, "RealDiv"),
    (tf.floordiv, np.floor_divide, "FloorDiv"),
    (tf.floormod, np.mod, "FloorMod"),
    (tf.maximum, np.maximum, "Maximum"),
    (tf.minimum, np.minimum, "Minimum"),
    (tf.squared_difference, lambda x, y: (x - y) ** 2, "SquaredDifference"),
    (tf.pow, np.power, "Pow"),
]


@pytest.mark.parametrize("fn, np_fn, op_type", BINARY, ids=[b[2] for b in BINARY])
def test_binary_forward_broadcasts_and_keeps_dtype(sess, fn, np_fn, op_type):
    a = np.abs(A).astype(np.float32) if op_type == "Pow" else A.astype(np.float32)
    y = fn(tf.constant(a), tf.constant(B.astype(np.float32)))
    assert y.op.type == op_type
    assert y.dtype == tf.float32 and y.shape.as_list() == [2, 3]
    out = sess.run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np_fn(a, B.astype(np.float32)), rtol=1e-6)


@pytest.mark.parametrize("fn, np_fn, op_type", BINARY, ids=[b[2] for b in BINARY])
def test_binary_shape_and_dtype_errors(fn, np_fn, op_type):
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        fn(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(TypeError, match=f"Input 'y' of '{op_type}' Op has type float64 that "
                                        "does not match type float32 of argument 'x'"):
        fn(tf.zeros([2]), tf.zeros([2], tf.float64))
    p = tf.placeholder(tf.float32, [None, 3])
    assert fn(p, tf.zeros([3])).shape.as_list() == [None, 3]


def test_bool_operands_are_rejected_for_arithmetic():
    t = tf.constant([True, False])
    for fn in (tf.add, tf.subtract, tf.multiply, tf.maximum, tf.floordiv, tf.pow):
        with pytest.raises(TypeError, match="DataType bool not in list of allowed values"):
            fn(t, t)


GRAD_BINARY = [b for b in BINARY if b[2] not in ("FloorDiv",)]


@pytest.mark.parametrize("fn, np_fn, op_type", GRAD_BINARY, ids=[b[2] for b in GRAD_BINARY])
def test_binary_gradients_with_broadcasting(sess, fn, np_fn, op_type):
    x, y = ph([2, 3]), ph([3])
    a = np.abs(A) + 0.5 if op_type == "Pow" else A
    b = B + 0.1 if op_type in ("Maximum", "Minimum") else B  # no ties
    check_gradients(fn(x, y), [x, y], [a, b])


def test_floordiv_has_no_gradient(sess):
    x = ph([2])
    assert tf.gradients(tf.floordiv(x, 2.0), [x]) == [None]


def test_measured_broadcast_gradients(sess):
    a = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b, s, col = tf.constant([1.0, 1.0, 1.0]), tf.constant(2.0), tf.constant([[1.0], [1.0]])
    assert sess.run(tf.gradients(a + b, b)[0]).tolist() == [2, 2, 2]
    assert sess.run(tf.gradients(a * s, s)[0]) == 21
    assert sess.run(tf.gradients(a * col, col)[0]).tolist() == [[6], [15]]
    k1, k2 = tf.constant([[1.0], [2.0]]), tf.constant([[3.0, 4.0, 5.0]])
    dk1, dk2 = sess.run(tf.gradients(k1 * k2, [k1, k2]))
    assert dk1.tolist() == [[12], [12]] and dk2.tolist() == [[3, 3, 3]]


def test_realdiv_gradient_measured(sess):
    x, y = tf.constant(3.0), tf.constant(2.0)
    assert sess.run(tf.gradients(x / y, [x, y])) == [0.5, -0.75]
    zero = tf.constant(0.0)
    assert sess.run(tf.gradients(tf.realdiv(x, zero), [x, zero])) == [np.inf, -np.inf]


def test_maximum_minimum_ties_go_to_x(sess):
    x, y = tf.constant([1.0, 2.0, 3.0]), tf.constant([1.0, 3.0, 2.0])
    dx, dy = sess.run(tf.gradients(tf.maximum(x, y), [x, y]))
    assert dx.tolist() == [1, 0, 1] and dy.tolist() == [0, 1, 0]
    dx, dy = sess.run(tf.gradients(tf.minimum(x, y), [x, y]))
    assert dx.tolist() == [1, 1, 0] and dy.tolist() == [0, 0, 1]
    two = tf.constant(2.0)
    dx, dy = sess.run(tf.gradients(tf.maximum(x, two), [x, two]))
    assert dx.tolist() == [0, 1, 1] and dy == 1


def test_clip_style_composition_tie_rules(sess):
    t, lo, hi = tf.constant([-2.0, -1.0, 0.0, 1.0, 2.0]), tf.constant(-1.0), tf.constant(1.0)
    dt, dlo, dhi = sess.run(tf.gradients(tf.maximum(tf.minimum(t, hi), lo), [t, lo, hi]))
    assert dt.tolist() == [0, 1, 1, 1, 0] and dlo == 1 and dhi == 1


def test_pow_gradient_at_nonpositive_base(sess):
    x = tf.constant([0.0, 0.0, 0.0, 2.0, -2.0])
    y = tf.constant([2.0, 0.0, 0.5, 3.0, 2.0])
    z = x ** y
    assert z.op.type == "Pow" and z.op.name == "pow"
    dx, dy = sess.run(tf.gradients(z, [x, y]))
    np.testing.assert_allclose(dx, [0, np.nan, np.inf, 12, -4])
    np.testing.assert_allclose(dy, [0, 0, 0, 5.5451775, 0], rtol=1e-6)
    assert sess.run(tf.constant(0.0) ** 0.0) == 1.0


def test_integer_division_rules(sess):
    seven, two = tf.constant(7), tf.constant(2)
    q = seven / two
    assert q.dtype == tf.float64 and q.op.type == "RealDiv" and q.op.name == "truediv"
    assert sess.run(q) == 3.5 and sess.run(seven / 2) == 3.5
    assert (tf.constant(7, tf.int8) / tf.constant(2, tf.int8)).dtype == tf.float32
    assert (tf.constant(7, tf.int64) / tf.constant(2, tf.int64)).dtype == tf.float64
    assert sess.run(seven // -2) == -4 and sess.run(seven % -2) == -1
    assert sess.run(tf.floordiv(seven, -2)).dtype == np.int32
    ints, divs = tf.constant([7, -7, 5]), tf.constant([2, 2, -3])
    assert sess.run(ints // divs).tolist() == [3, -4, -2]
    assert sess.run(ints % divs).tolist() == [1, 1, -1]
    floats = tf.constant([1.0, -2.0, 3.0])
    assert sess.run(floats // 2).tolist() == [0, -1, 1]
    assert sess.run(floats % 2).tolist() == [1, 0, 1]
    with pytest.raises(TypeError, match=r"`x` and `y` must have the same dtype, got "
                                        r"tf.int32 != tf.float32"):
        seven / 2.0
    with pytest.raises(TypeError, match="must have the same dtype"):
        tf.truediv(seven, tf.constant(2.0))
    with pytest.raises(TypeError, match="Expected int32 passed to parameter 'y'"):
        seven + 1.5


def test_truediv_reflected_and_variable_operands(sess):
    x = tf.constant([2.0, 4.0])
    y = 8.0 / x
    assert y.op.name == "truediv" and sess.run(y).tolist() == [4.0, 2.0]
    assert sess.run(tf.divide(x, 2.0)).tolist() == [1.0, 2.0]
    assert sess.run(7 // tf.constant(2)) == 3 and sess.run(2 ** tf.constant(3.0)) == 8.0
    assert sess.run(1 - x).tolist() == [-1.0, -3.0]


def test_integer_division_by_zero_fails_at_run_time(sess):
    x, z = tf.constant([1, 2]), tf.constant([1, 0])
    q, m = tf.floordiv(x, z), tf.floormod(x, z)  # building is fine
    for t in (q, m):
        with pytest.raises(tf.errors.InvalidArgumentError, match="Integer division by zero"):
            sess.run(t)
    assert sess.run(x / z).tolist() == [1.0, np.inf]  # cast to float64 first


def test_deprecated_div_is_python2_division(sess):
    q = tf.div(7, 2)
    assert q.op.type == "FloorDiv" and q.op.name == "div" and sess.run(q) == 3
    assert sess.run(tf.div(-7, 2)) == -4
    r = tf.div(7.0, 2.0)
    assert r.op.type == "RealDiv" and sess.run(r) == 3.5


def test_realdiv_rejects_integers():
    with pytest.raises(TypeError, match="RealDiv"):
        tf.realdiv(tf.constant(1), tf.constant(2))


def test_squared_difference_int_and_name(sess):
    d = tf.squared_difference(tf.constant([1, 5]), 3)
    assert d.op.name == "SquaredDifference" and sess.run(d).tolist() == [4, 4]


# ---------------------------------------------------------------------------------------
# Names of operators and constructors (TF1's node names)
# ---------------------------------------------------------------------------------------
def test_default_names_of_operators_and_functions():
    a, b = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    m = tf.constant([[1.0]])
    t, f = tf.constant([True]), tf.constant([False])
    # Uniquifying is case-insensitive: `a - b` takes "sub", so tf.subtract gets "Sub_1".
    cases = [
        (a - b, "Sub", "sub"), (tf.subtract(a, b), "Sub", "Sub_1"), (tf.sub(a, b), "Sub", "Sub_2"),
        (a * b, "Mul", "mul"), (tf.mul(a, b), "Mul", "Mul_1"),
        (a / b, "RealDiv", "truediv"), (tf.realdiv(a, b), "RealDiv", "RealDiv"),
        (a // b, "FloorDiv", "floordiv"), (tf.floordiv(a, b), "FloorDiv", "floordiv_1"),
        (a % b, "FloorMod", "mod"), (tf.mod(a, b), "FloorMod", "FloorMod"),
        (a ** b, "Pow", "pow"), (tf.pow(a, b), "Pow", "Pow_1"),
        (m @ m, "MatMul", "matmul"), (tf.matmul(m, m), "MatMul", "MatMul_1"),
        (-a, "Neg", "Neg"), (tf.neg(a), "Neg", "Neg_1"), (abs(a), "Abs", "Abs"),
        (a < b, "Less", "Less"), (a <= b, "LessEqual", "LessEqual"),
        (a > b, "Greater", "Greater"), (a >= b, "GreaterEqual", "GreaterEqual"),
        (t & f, "LogicalAnd", "and"), (t | f, "LogicalOr", "or"), (t ^ f, "LogicalAnd", "xor"),
        (~t, "LogicalNot", "LogicalNot_1"),
        (tf.logical_xor(t, f), "LogicalAnd", "LogicalXor"),
        (tf.maximum(a, b), "Maximum", "Maximum"), (tf.minimum(a, b), "Minimum", "Minimum"),
        (tf.squared_difference(a, b), "SquaredDifference", "SquaredDifference"),
        (tf.negative(a), "Neg", "Neg_2"), (tf.scalar_mul(2.0, a), "Mul", "scalar_mul"),
        (tf.add(a, b), "AddV2", "Add"), (a + b, "AddV2", "add_1"),
    ]
    for tensor, op_type, name in cases:
        assert (tensor.op.type, tensor.op.name) == (op_type, name)


def test_python_operands_take_the_tensor_dtype_and_are_named_after_the_argument():
    x = tf.constant([1.0, 2.0])
    y = 2 - x
    assert y.dtype == tf.float32 and y.op.inputs[0].op.name == "sub/x"
    z = tf.constant([1, 2]) * 3
    assert z.dtype == tf.int32


def test_unary_plus_and_int_logical_operators_are_type_errors():
    a = tf.constant([1.0])
    with pytest.raises(TypeError, match="bad operand type for unary"):
        +a  # noqa: B018
    i = tf.constant([1])
    with pytest.raises(TypeError, match="LogicalAnd"):
        _ = i & i
    with pytest.raises(TypeError, match="LogicalNot"):
        _ = ~i


# ---------------------------------------------------------------------------------------
# Unary ops
# ---------------------------------------------------------------------------------------
def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


UNARY = [  # function, numpy reference, op type, sample points (away from kinks and poles)
    (tf.negative, np.negative, "Neg", [-1.5, 0.3, 2.0]),
    (tf.abs, np.abs, "Abs", [-1.5, 0.3, 2.0]),
    (tf.exp, np.exp, "Exp", [-1.5, 0.3, 2.0]),
    (tf.log, np.log, "Log", [0.5, 1.3, 2.0]),
    (tf.log1p, np.log1p, "Log1p", [-0.5, 0.3, 2.0]),
    (tf.sqrt, np.sqrt, "Sqrt", [0.5, 1.3, 4.0]),
    (tf.rsqrt, lambda x: 1 / np.sqrt(x), "Rsqrt", [0.5, 1.3, 4.0]),
    (tf.square, np.square, "Square", [-1.5, 0.3, 2.0]),
    (tf.reciprocal, np.reciprocal, "Reciprocal", [-1.5, 0.3, 2.0]),
    (tf.sin, np.sin, "Sin", [-1.5, 0.3, 2.0]),
    (tf.cos, np.cos, "Cos", [-1.5, 0.3, 2.0]),
    (tf.tanh, np.tanh, "Tanh", [-1.5, 0.3, 2.0]),
    (tf.sigmoid, np_sigmoid, "Sigmoid", [-1.5, 0.3, 2.0]),
    (tf.sign, np.sign, "Sign", [-1.5, 0.0, 2.0]),
    (tf.floor, np.floor, "Floor", [-1.5, 0.3, 2.5]),
    (tf.ceil, np.ceil, "Ceil", [-1.5, 0.3, 2.5]),
    (tf.round, np.round, "Round", [-1.5, 0.5, 2.5]),
]


@pytest.mark.parametrize("fn, np_fn, op_type, points", UNARY, ids=[u[2] for u in UNARY])
def test_unary_forward_shape_and_dtype(sess, fn, np_fn, op_type, points):
    values = np.array(points, dtype=np.float32)
    y = fn(tf.constant(values))
    assert y.op.type == op_type and y.op.name == op_type
    assert y.dtype == tf.float32 and y.shape.as_list() == [3]
    out = sess.run(y)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np_fn(values), rtol=1e-6)
    scalar = sess.run(fn(tf.constant(values[0])))
    assert scalar.dtype == np.float32 and np.shape(scalar) == ()
    assert fn(tf.placeholder(tf.float32, [None, 2])).shape.as_list() == [None, 2]
    assert fn(tf.placeholder(tf.float32)).shape.ndims is None


@pytest.mark.parametrize("fn, np_fn, op_type, points", UNARY, ids=[u[2] for u in UNARY])
def test_unary_dtype_errors(fn, np_fn, op_type, points):
    with pytest.raises(TypeError, match=f"op '{op_type}' has DataType bool"):
        fn(tf.constant([True]))


@pytest.mark.parametrize("fn", [tf.exp, tf.log, tf.sqrt, tf.sigmoid, tf.floor, tf.reciprocal])
def test_transcendental_ops_reject_integers(fn):
    with pytest.raises(TypeError, match="DataType int32 not in list"):
        fn(tf.constant([1, 2]))


@pytest.mark.parametrize("fn", [tf.negative, tf.abs, tf.sign, tf.square, tf.round])
def test_integer_unary_ops_keep_int_dtype(sess, fn):
    y = fn(tf.constant([-3, 0, 2]))
    out = sess.run(y)
    assert y.dtype == tf.int32 and out.dtype == np.int32


DIFFERENTIABLE_UNARY = [u for u in UNARY if u[2] not in ("Floor", "Ceil", "Round", "Sign")]


@pytest.mark.parametrize("fn, np_fn, op_type, points", DIFFERENTIABLE_UNARY,
                         ids=[u[2] for u in DIFFERENTIABLE_UNARY])
def test_unary_gradients(sess, fn, np_fn, op_type, points):
    x = ph([3])
    check_gradients(fn(x), [x], [points])


@pytest.mark.parametrize("fn", [tf.floor, tf.ceil, tf.round])
def test_rounding_ops_have_no_gradient(fn):
    x = ph([2])
    assert tf.gradients(fn(x), [x]) == [None]


def test_sign_gradient_is_zeros_not_none(sess):
    x = tf.constant([-1.0, 0.0, 2.0])
    (g,) = tf.gradients(tf.sign(x), [x])
    assert g is not None and sess.run(g).tolist() == [0, 0, 0]


def test_measured_unary_gradients(sess):
    x = tf.constant([-1.0, 0.0, 1.0])
    assert sess.run(tf.gradients(tf.abs(x), x)[0]).tolist() == [-1, 0, 1]
    x = tf.constant([0.0, 4.0])
    assert sess.run(tf.gradients(tf.sqrt(x), x)[0]).tolist() == [np.inf, 0.25]
    assert sess.run(tf.gradients(tf.rsqrt(x), x)[0]).tolist() == [-np.inf, -0.0625]
    zero = tf.constant(0.0)
    assert sess.run(tf.gradients(tf.sigmoid(zero), zero)[0]) == 0.25
    assert sess.run(tf.gradients(tf.tanh(zero), zero)[0]) == 1.0
    assert sess.run(tf.gradients(tf.log(zero), zero)[0]) == np.inf
    assert sess.run(tf.gradients(tf.square(zero), zero)[0]) == 0.0


def test_round_is_bankers_rounding(sess):
    out = sess.run(tf.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5])))
    assert out.tolist() == [0, 2, 2, -0, -2]


def test_where_nan_trap_and_sqrt_zero_upstream(sess):
    x = tf.constant([0.0, 1.0])
    cond = x > 0.5
    g_log = tf.gradients(tf.where(cond, tf.log(x), tf.zeros_like(x)), x)[0]
    g_inv = tf.gradients(tf.where(cond, 1 / x, tf.zeros_like(x)), x)[0]
    g_sqrt = tf.gradients(tf.where(cond, tf.sqrt(x), tf.zeros_like(x)), x)[0]
    np.testing.assert_array_equal(sess.run(g_log), [np.nan, 1.0])
    np.testing.assert_array_equal(sess.run(g_inv), [np.nan, -1.0])
    np.testing.assert_array_equal(sess.run(g_sqrt), [0.0, 0.5])
    assert "SqrtGrad" in [op.type for op in tf.get_default_graph().get_operations()]


def test_sqrt_second_derivative_through_sqrt_grad(sess):
    x = ph([3])
    y = tf.sqrt(x)
    (g,) = tf.gradients(y, x)
    assert g.op.type == "SqrtGrad"
    check_gradients(g, [x], [[0.5, 1.3, 4.0]])
    upstream = ph([3])
    g2 = tf.gradients(y, x, grad_ys=upstream)[0]
    check_gradients(g2, [x, upstream], [[0.5, 1.3, 4.0], [1.0, -2.0, 0.5]])


def test_third_power_second_derivative(sess):
    x = tf.placeholder(tf.float64, [])
    (g,) = tf.gradients(x * x * x, [x])
    (h,) = tf.gradients(g, [x])
    assert sess.run([g, h], {x: 2.0}) == [12.0, 12.0]
    assert sess.run(h, {x: 3.0}) == 18.0
    check_gradients(h, [x], [1.5])  # d/dx 6x = 6


# ---------------------------------------------------------------------------------------
# add_n
# ---------------------------------------------------------------------------------------
def test_add_n(sess):
    a, b, c = (tf.constant(v) for v in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]))
    s = tf.add_n([a, b, c])
    assert s.op.type == "AddN" and sess.run(s).tolist() == [9, 12]
    assert tf.add_n([a]) is a
    with pytest.raises(ValueError, match="add_n does not broadcast"):
        tf.add_n([a, tf.constant([1.0, 2.0, 3.0])])
    with pytest.raises(TypeError, match="does not match"):
        tf.add_n([a, tf.constant([1, 2])])
    with pytest.raises(ValueError, match="non-empty"):
        tf.add_n([])
    x, y = ph([2]), ph([2])
    check_gradients(tf.add_n([x, y, x]), [x, y], [[1.0, 2.0], [3.0, 4.0]])


# ---------------------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------------------
M = np.array([[1.0, 2.0], [3.0, 4.0]])
N = np.array([[5.0, 6.0], [7.0, 8.0]])
G = np.array([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize("ta, tb, dm, dn", [
    (False, False, [[17, 23], [39, 53]], [[10, 14], [14, 20]]),
    (False, True, [[19, 22], [43, 50]], [[10, 14], [14, 20]]),
    (True, False, [[17, 39], [23, 53]], [[7, 10], [15, 22]]),
    (True, True, [[19, 43], [22, 50]], [[7, 15], [10, 22]]),
])
def test_matmul_transpose_combinations_measured(sess, ta, tb, dm, dn):
    m, n = tf.constant(M), tf.constant(N)
    c = tf.matmul(m, n, transpose_a=ta, transpose_b=tb)
    assert c.op.type == "MatMul"
    expected = (M.T if ta else M) @ (N.T if tb else N)
    np.testing.assert_array_equal(sess.run(c), expected)
    gm, gn = sess.run(tf.gradients(tf.reduce_sum(c * G), [m, n]))
    assert gm.tolist() == dm and gn.tolist() == dn
    x, y = ph([2, 3] if ta else [3, 2]), ph([4, 2] if tb else [2, 4])
    z = tf.matmul(x, y, transpose_a=ta, transpose_b=tb)
    assert z.shape.as_list() == [3, 4]
    check_gradients(z, [x, y], [rng.normal(size=x.shape.as_list()),
                                rng.normal(size=y.shape.as_list())])


def test_matmul_python_and_numpy_operands_take_the_tensor_dtype(sess):
    w = tf.constant([[2.0], [3.0]])
    left = np.ones((1, 2)) @ w  # float64 numpy operand converted to float32
    assert left.dtype == tf.float32 and left.op.name == "matmul"
    assert left.op.inputs[0].op.name == "matmul/a"
    assert sess.run(left).tolist() == [[5.0]]
    assert sess.run(tf.matmul([[1.0, 1.0]], w)).tolist() == [[5.0]]


def test_matmul_static_shapes_and_errors():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.matmul(x, tf.ones([3, 4]))
    assert y.shape.as_list() == [None, 4] and str(y.shape) == "(?, 4)"
    with pytest.raises(ValueError) as info:
        tf.matmul(tf.ones([2, 3]), tf.ones([4, 3]))
    text = str(info.value)
    assert "3 and 4" in text and "[2,3]" in text and "[4,3]" in text
    assert "transpose_b=True" in text
    assert tf.matmul(tf.ones([2, 3]), tf.ones([4, 3]), transpose_b=True).shape == [2, 4]
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type int32 that does "
                                        "not match type float32 of argument 'a'"):
        tf.matmul(tf.ones([2, 2]), tf.ones([2, 2], tf.int32))
    with pytest.raises(ValueError, match="must be rank 2 but is rank 1"):
        tf.matmul(tf.ones([2]), tf.ones([2, 2]))
    with pytest.raises(TypeError, match="DataType bool"):
        tf.matmul(tf.constant([[True]]), tf.constant([[True]]))


def test_batch_matmul_broadcasts_batch_dims(sess):
    a = rng.normal(size=(2, 1, 3, 4))
    b = rng.normal(size=(5, 4, 2))
    c = tf.matmul(tf.constant(a), tf.constant(b))
    assert c.op.type == "BatchMatMulV2" and c.op.name == "MatMul"
    assert c.shape.as_list() == [2, 5, 3, 2]
    np.testing.assert_allclose(sess.run(c), np.matmul(a, b))
    b2 = rng.normal(size=(5, 2, 3))
    d = tf.matmul(tf.constant(a), tf.constant(b2), transpose_a=True, transpose_b=True)
    assert d.shape.as_list() == [2, 5, 4, 2]
    np.testing.assert_allclose(sess.run(d), np.matmul(np.swapaxes(a, -1, -2),
                                                      np.swapaxes(b2, -1, -2)))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matmul(tf.ones([2, 3, 4]), tf.ones([2, 3, 4]))
    with pytest.raises(ValueError, match="do not broadcast"):
        tf.matmul(tf.ones([2, 3, 4]), tf.ones([3, 4, 4]))


@pytest.mark.parametrize("ta, tb", [(False, False), (True, False), (False, True), (True, True)])
def test_batch_matmul_gradients(sess, ta, tb):
    x_shape, y_shape = [2, 2, 3] if ta else [2, 3, 2], [4, 2] if tb else [2, 4]
    x, y = ph(x_shape), ph(y_shape)
    z = tf.matmul(x, y, transpose_a=ta, transpose_b=tb)
    assert z.op.type == "BatchMatMulV2" and z.shape.as_list() == [2, 3, 4]
    check_gradients(z, [x, y], [rng.normal(size=x_shape), rng.normal(size=y_shape)])


# ---------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------
X = np.array([[1.0, 5.0, -2.0], [3.0, 0.5, 4.0]])

REDUCTIONS = [
    (tf.reduce_sum, np.sum, "Sum"),
    (tf.reduce_mean, np.mean, "Mean"),
    (tf.reduce_max, np.max, "Max"),
    (tf.reduce_min, np.min, "Min"),
    (tf.reduce_prod, np.prod, "Prod"),
]
AXES = [None, 0, 1, -1, [0, 1], [-2]]


@pytest.mark.parametrize("fn, np_fn, op_type", REDUCTIONS, ids=[r[2] for r in REDUCTIONS])
@pytest.mark.parametrize("axis", AXES, ids=str)
def test_reduction_forward_and_static_shape(sess, fn, np_fn, op_type, axis):
    x = tf.constant(X.astype(np.float32))
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    for keepdims in (False, True):
        y = fn(x, axis, keepdims=keepdims)
        assert y.op.type == op_type and y.op.name.startswith(op_type)
        expected = np_fn(X.astype(np.float32), axis=np_axis, keepdims=keepdims)
        assert y.shape.as_list() == list(expected.shape) and y.dtype == tf.float32
        out = sess.run(y)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=1e-6)


@pytest.mark.parametrize("fn, np_fn, op_type", REDUCTIONS, ids=[r[2] for r in REDUCTIONS])
def test_reduction_deprecated_arguments_and_errors(sess, fn, np_fn, op_type):
    x = tf.constant(X)
    np.testing.assert_allclose(sess.run(fn(x, reduction_indices=[1], keep_dims=True)),
                               np_fn(X, axis=1, keepdims=True))
    with pytest.raises(ValueError, match="Invalid reduction dimension 2"):
        fn(x, 2)
    with pytest.raises(ValueError, match="both 'axis' and 'reduction_indices'"):
        fn(x, 0, reduction_indices=0)
    with pytest.raises(ValueError, match="both 'keepdims' and 'keep_dims'"):
        fn(x, 0, keepdims=True, keep_dims=True)
    with pytest.raises(TypeError, match="DataType bool"):
        fn(tf.constant([True]))
    p = tf.placeholder(tf.float32, [None, 3])
    assert fn(p, 1).shape.as_list() == [None]
    assert fn(p, 0, keepdims=True).shape.as_list() == [1, 3]
    assert fn(p).shape.as_list() == []
    unknown = tf.placeholder(tf.float32)
    assert fn(unknown).shape.ndims is None
    assert sess.run(fn(unknown), {unknown: X}) == pytest.approx(np_fn(X))


@pytest.mark.parametrize("fn, np_fn, op_type", REDUCTIONS, ids=[r[2] for r in REDUCTIONS])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (-1, True), ([0, 1], True)])
def test_reduction_gradients(sess, fn, np_fn, op_type, axis, keepdims):
    x = ph([2, 3])
    check_gradients(fn(x, axis, keepdims=keepdims), [x], [X])


@pytest.mark.parametrize("fn", [tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_prod])
def test_reduction_gradients_with_unknown_shapes(sess, fn):
    x = tf.placeholder(tf.float64, [None, 3])
    check_gradients(fn(x, 1), [x], [X])
    y = tf.placeholder(tf.float64)
    check_gradients(fn(y, 0), [y], [X])


def test_mean_gradient_measured(sess):
    x = tf.constant(np.ones((2, 3)))
    np.testing.assert_allclose(sess.run(tf.gradients(tf.reduce_mean(x), x)[0]),
                               np.full((2, 3), 1 / 6))
    np.testing.assert_allclose(sess.run(tf.gradients(tf.reduce_mean(x, 0), x)[0]),
                               np.full((2, 3), 0.5))
    y = tf.reduce_mean(x, 1, keepdims=True) * tf.constant([[1.0], [3.0]], tf.float64)
    np.testing.assert_allclose(sess.run(tf.gradients(y, x)[0]),
                               [[1 / 3] * 3, [1.0] * 3])


def test_max_min_gradients_split_ties(sess):
    x = tf.constant([3.0, 1.0, 3.0])
    assert sess.run(tf.gradients(tf.reduce_max(x), x)[0]).tolist() == [0.5, 0, 0.5]
    y = tf.constant([1.0, 1.0, 2.0])
    assert sess.run(tf.gradients(tf.reduce_min(y), y)[0]).tolist() == [0.5, 0.5, 0]


def test_prod_gradient_with_zeros(sess):
    x = ph([2, 3])
    values = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0]])
    check_gradients(tf.reduce_prod(x, 1), [x], [values])
    g = sess.run(tf.gradients(tf.reduce_prod(x, 1), x)[0], {x: values})
    assert g.tolist() == [[0, 6, 0], [0, 0, 0]]


def test_reduction_dtypes_follow_the_input(sess):
    ints = tf.constant([[1, 2], [3, 4]])
    s, m = tf.reduce_sum(ints), tf.reduce_mean(tf.constant([1, 2]))
    assert s.dtype == tf.int32 and sess.run(s).dtype == np.int32 and sess.run(s) == 10
    assert m.dtype == tf.int32 and sess.run(m) == 1  # integer mean truncates
    assert sess.run(tf.reduce_prod(ints, 0)).tolist() == [3, 8]
    assert sess.run(tf.reduce_max(tf.zeros([0, 2]), 0)).tolist() == [-np.inf, -np.inf]
    assert sess.run(tf.reduce_min(tf.zeros([0], tf.int32))) == np.iinfo(np.int32).max


def test_reduce_all_and_any(sess):
    b = tf.constant([[True, False], [True, True]])
    for fn, np_fn, op_type in ((tf.reduce_all, np.all, "All"), (tf.reduce_any, np.any, "Any")):
        for axis in (None, 0, -1):
            y = fn(b, axis)
            assert y.op.type == op_type and y.dtype == tf.bool
            np.testing.assert_array_equal(sess.run(y), np_fn(sess.run(b), axis=axis))
        assert fn(b, 1, keepdims=True).shape.as_list() == [2, 1]
        with pytest.raises(TypeError, match="DataType float32"):
            fn(tf.constant([1.0]))
        with pytest.raises(ValueError, match="Invalid reduction dimension"):
            fn(b, 3)


def test_argmax_argmin(sess):
    x = tf.constant([[1.0, 7.0, 7.0], [9.0, 0.0, 2.0]])
    a = tf.argmax(x)
    assert a.op.type == "ArgMax" and a.op.name == "ArgMax" and a.dtype == tf.int64
    assert a.shape.as_list() == [3]
    assert sess.run(a).tolist() == [1, 0, 0] and sess.run(a).dtype == np.int64
    assert sess.run(tf.argmax(x, 1)).tolist() == [1, 0]  # first of the tied maxima
    assert sess.run(tf.argmax(x, -1, output_type=tf.int32)).dtype == np.int32
    n = tf.argmin(x, axis=1)
    assert n.op.type == "ArgMin" and sess.run(n).tolist() == [0, 1]
    assert sess.run(tf.arg_max(x, 1)).tolist() == [1, 0]
    assert sess.run(tf.arg_min(x, 0)).tolist() == [0, 1, 1]
    assert sess.run(tf.argmax(x, dimension=1)).tolist() == [1, 0]
    p = tf.placeholder(tf.float32, [None, 4])
    assert tf.argmax(p, 1).shape.as_list() == [None]
    with pytest.raises(ValueError, match="Invalid reduction dimension 2"):
        tf.argmax(x, 2)
    with pytest.raises(ValueError, match="takes one axis"):
        tf.argmax(x, [0, 1])
    with pytest.raises(TypeError, match="output_type"):
        tf.argmax(x, 0, output_type=tf.float32)
    with pytest.raises(TypeError, match="DataType bool"):
        tf.argmin(tf.constant([True]))
    xp = ph([3])
    assert tf.gradients(tf.cast(tf.argmax(xp), tf.float64) * xp, [xp])[0] is not None
    assert tf.gradients(tf.argmax(xp), [xp]) == [None]


# ---------------------------------------------------------------------------------------
# Comparisons, logical ops, where
# ---------------------------------------------------------------------------------------
COMPARISONS = [
    (tf.equal, np.equal, "Equal"), (tf.not_equal, np.not_equal, "NotEqual"),
    (tf.less, np.less, "Less"), (tf.less_equal, np.less_equal, "LessEqual"),
    (tf.greater, np.greater, "Greater"), (tf.greater_equal, np.greater_equal, "GreaterEqual"),
]


@pytest.mark.parametrize("fn, np_fn, op_type", COMPARISONS, ids=[c[2] for c in COMPARISONS])
def test_comparisons(sess, fn, np_fn, op_type):
    a = np.array([[1, 2, 3], [3, 2, 1]], dtype=np.int32)
    y = fn(tf.constant(a), 2)
    assert y.op.type == op_type and y.op.name == op_type and y.dtype == tf.bool
    assert y.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(sess.run(y), np_fn(a, 2))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        fn(tf.zeros([2]), tf.zeros([3]))
    with pytest.raises(TypeError, match="does not match"):
        fn(tf.zeros([2]), tf.zeros([2], tf.int32))
    x = ph([3])
    assert tf.gradients(tf.cast(fn(x, 0.5), tf.float64), [x]) == [None]
    assert isinstance(sess.run(fn(tf.constant(1.0), 1.0)), (np.bool_, bool))


def test_equal_accepts_bool_and_strings_but_ordering_does_not(sess):
    assert sess.run(tf.equal(tf.constant([True, False]), True)).tolist() == [True, False]
    s = tf.constant(["a", "b"])
    assert sess.run(tf.not_equal(s, "a")).tolist() == [False, True]
    with pytest.raises(TypeError, match="DataType bool"):
        tf.less(tf.constant([True]), tf.constant([False]))


def test_python_equality_stays_identity():
    a, b = tf.constant(1.0), tf.constant(1.0)
    assert (a == a) is True and (a == b) is False and (a != b) is True


def test_logical_ops(sess):
    a = np.array([True, True, False, False])
    b = np.array([True, False, True, False])
    ta, tb = tf.constant(a), tf.constant(b)
    assert sess.run(tf.logical_and(ta, tb)).tolist() == (a & b).tolist()
    assert sess.run(tf.logical_or(ta, tb)).tolist() == (a | b).tolist()
    assert sess.run(tf.logical_xor(ta, tb)).tolist() == (a ^ b).tolist()
    assert sess.run(tf.logical_not(ta)).tolist() == (~a).tolist()
    assert sess.run(ta ^ tb).tolist() == (a ^ b).tolist()
    assert sess.run(tf.logical_xor(True, [True, False])).tolist() == [False, True]
    assert tf.logical_and(tf.constant([[True], [False]]), ta).shape.as_list() == [2, 4]
    with pytest.raises(TypeError, match="DataType float32"):
        tf.logical_or(tf.constant(1.0), tf.constant(0.0))


def test_where_select_forward_and_shapes(sess):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = -x
    c = np.array([[True, False], [False, True]])
    s = tf.where(c, x, y)
    assert s.op.type == "Select" and s.op.name == "Select" and s.shape.as_list() == [2, 2]
    np.testing.assert_array_equal(sess.run(s), np.where(c, x, y))
    rows = tf.where([True, False], x, y)  # a vector selects whole rows
    np.testing.assert_array_equal(sess.run(rows), [[1, 2], [-3, -4]])
    assert sess.run(tf.where(False, x, y)).tolist() == y.tolist()
    p = tf.placeholder(tf.float32, [None, 3])
    assert tf.where(tf.ones([5], tf.bool), p, p).shape.as_list() == [5, 3]
    with pytest.raises(ValueError, match="same shape"):
        tf.where(c, x, [1.0, 2.0])
    with pytest.raises(ValueError, match="neither x's shape"):
        tf.where([True, False, True], x, y)
    with pytest.raises(TypeError, match="'condition' of op 'Select' has DataType float64"):
        tf.where(tf.constant(x), x, y)
    with pytest.raises(ValueError, match="both be non-None"):
        tf.where(c, x)
    with pytest.raises(TypeError, match="does not match"):
        tf.where(c, tf.constant(x), tf.constant(y.astype(np.float32)))


def test_where_select_run_time_shape_error(sess):
    c = tf.placeholder(tf.bool, [None])
    x = tf.placeholder(tf.float32, [None, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="tf.where got condition"):
        sess.run(tf.where(c, x, x), {c: [True], x: np.ones((3, 2))})


def test_where_gradient_measured_and_checked(sess):
    a, b = tf.constant([1.0, 1.0, 1.0]), tf.constant([1.0, 1.0, 1.0])
    c = tf.constant([True, False, True])
    da, db = sess.run(tf.gradients(tf.where(c, 2 * a, 3 * b), [a, b]))
    assert da.tolist() == [2, 0, 2] and db.tolist() == [0, 3, 0]
    x, y = ph([2, 2]), ph([2, 2])
    check_gradients(tf.where([True, False], x * x, y), [x, y],
                    [[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.0]]])


def test_where_with_condition_only_returns_int64_coordinates(sess):
    w = tf.where([[True, False], [False, True]])
    assert w.op.type == "Where" and w.dtype == tf.int64 and w.shape.as_list() == [None, 2]
    assert sess.run(w).tolist() == [[0, 0], [1, 1]]
    x = ph([2])
    assert tf.gradients(tf.cast(tf.where(x > 0.0), tf.float64), [x]) == [None]


# ---------------------------------------------------------------------------------------
# cast
# ---------------------------------------------------------------------------------------
def test_cast_forward_and_identity(sess):
    x = tf.constant([-1.7, 0.0, 2.5])
    assert tf.cast(x, tf.float32) is x
    i = tf.cast(x, tf.int32)
    assert i.op.type == "Cast" and i.op.name == "Cast" and i.dtype == tf.int32
    assert i.shape.as_list() == [3]
    assert sess.run(i).tolist() == [-1, 0, 2] and sess.run(i).dtype == np.int32
    assert sess.run(tf.cast(x, tf.bool)).tolist() == [True, False, True]
    assert sess.run(tf.cast([1, 2], tf.float64)).dtype == np.float64
    assert sess.run(tf.cast(1.7, tf.int64)) == 1
    assert tf.to_float(tf.constant(1)).op.name == "ToFloat"
    assert tf.to_double(tf.constant(1)).dtype == tf.float64
    assert tf.to_int32(x).op.name == "ToInt32" and tf.to_int64(x).dtype == tf.int64
    with pytest.raises(TypeError, match="Cannot convert"):
        tf.cast(x, "no_such_type")


def test_cast_string_to_number_fails_at_run_time(sess):
    c = tf.cast(tf.constant(["1"]), tf.int32)
    with pytest.raises(tf.errors.UnimplementedError, match="Cast string to int32"):
        sess.run(c)


def test_cast_gradients(sess):
    x = ph([3])
    y = tf.cast(x, tf.float32)
    check_gradients(tf.cast(y * y, tf.float64), [x], [[1.0, -2.0, 0.5]], delta=1e-2,
                    rtol=1e-3, atol=1e-3)
    (g,) = tf.gradients(y, x)
    assert g.dtype == tf.float64
    i = tf.placeholder(tf.int32, [3])
    assert tf.gradients(tf.cast(i, tf.float32) * 2.0, [i]) == [None]
    assert tf.gradients(tf.cast(tf.cast(x, tf.int32), tf.float64), [x]) == [None]


# ---------------------------------------------------------------------------------------
# Kernel dtypes: every kernel returns exactly the inferred dtype, also for 0-d inputs
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64, tf.int32, tf.int64, tf.int8])
def test_kernels_return_the_inferred_dtype(sess, dtype):
    a, b = tf.constant(3, dtype), tf.constant(2, dtype)
    outputs = [a + b, a - b, a * b, a // b, a % b, a ** b, tf.maximum(a, b), -a, abs(a),
               tf.minimum(a, b), tf.square(a), tf.sign(a), tf.reduce_sum([a, b]),
               tf.reduce_mean([a, b]), tf.reduce_prod([a, b]), tf.reduce_max([a, b]),
               a / b, tf.cast(a, tf.float32), tf.where(True, a, b), a < b]
    if dtype.is_floating:
        outputs += [tf.exp(a), tf.sqrt(a), tf.rsqrt(a), tf.sigmoid(a), tf.reciprocal(a),
                    tf.log1p(a), tf.round(a), tf.floor(a), tf.squared_difference(a, b)]
    for t, value in zip(outputs, sess.run(outputs)):
        assert np.asarray(value).dtype == t.dtype.as_numpy_dtype, t.op.type
