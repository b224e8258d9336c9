"""Binary arithmetic, add_n and cast (ops/math_ops.py): forward vs numpy, static shapes and
dtypes, gradients, TF1 names.

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
