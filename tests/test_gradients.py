"""tf.gradients mechanics: result list, several ys, grad_ys, unconnected handling,
stop_gradient / stop_gradients, aggregation over paths, repeated xs, higher order."""

import numpy as np
import pytest

import minigraph as tf


def run(*fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(list(fetches), feed)


# -- 3.1 what gradients returns -----------------------------------------------------------------
def test_result_is_always_a_list_with_one_entry_per_x():
    x = tf.constant(3.0)
    assert isinstance(tf.gradients(x * x, x), list)
    assert isinstance(tf.gradients(x * x, (x,)), list)
    assert len(tf.gradients(x * x, [x, x, x])) == 3
    (g,) = tf.gradients(x * x, x)
    assert run(g) == [6.0]


def test_several_ys_are_summed_and_grad_ys_weights_them():
    x = tf.constant(3.0)
    y = tf.constant(4.0)
    assert run(*tf.gradients([x * x, x * y], [x, y])) == [10.0, 3.0]
    weighted = tf.gradients([x * x, x * y], [x, y], grad_ys=[2.0, 10.0])
    assert run(*weighted) == [52.0, 30.0]
    one_default = tf.gradients([x * x, x * y], [x], grad_ys=[None, 10.0])
    assert run(*one_default) == [46.0]


def test_grad_ys_length_and_dtype_errors():
    x = tf.constant(3.0)
    with pytest.raises(ValueError, match="Length mismatch. Passed 1 grad_ys for 2 ys"):
        tf.gradients([x * x, x * 2.0], [x], grad_ys=[1.0])
    with pytest.raises(TypeError):
        tf.gradients(x * x, [x], grad_ys=[tf.constant(1)])


def test_gradient_of_y_with_respect_to_itself_is_grad_y():
    x = tf.constant(3.0)
    y = x * 4.0
    assert run(*tf.gradients(y, [y])) == [1.0]
    assert run(*tf.gradients([y, y], [y])) == [2.0]
    assert run(*tf.gradients(y, [y], grad_ys=[5.0])) == [5.0]


def test_x_twice_in_xs_gets_the_full_gradient_each_time():
    n = tf.constant(3.0)
    assert run(*tf.gradients(n * n, [n, n])) == [6.0, 6.0]


def test_unconnected_none_and_zero():
    x = tf.constant(3.0)
    z = tf.constant([1.0, 2.0])
    grads = tf.gradients(x * x, [x, z])
    assert grads[1] is None
    zero = tf.gradients(x * x, [x, z], unconnected_gradients="zero")
    out = run(*zero)
    assert out[0] == 6.0
    np.testing.assert_array_equal(out[1], [0.0, 0.0])
    enum = tf.gradients(x * x, [z], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert enum[0] is not None
    with pytest.raises(ValueError, match="bogus"):
        tf.gradients(x * x, [x], unconnected_gradients="bogus")


def test_integer_paths_break_the_chain():
    i = tf.constant(2)
    assert tf.gradients(tf.cast(i, tf.float32) * 2.0, [i]) == [None]
    assert tf.gradients(i * 2, [i]) == [None]
    zeros = tf.gradients(i * 2, [i], unconnected_gradients="zero")
    out = run(*zeros)
    assert out == [0] and type(out[0]) is np.int32


def test_x_downstream_of_y_is_unconnected():
    x = tf.constant(3.0)
    y = x * 2.0
    assert tf.gradients(x, [y]) == [None]


def test_gradient_static_shape_is_set_to_x_shape():
    p = tf.placeholder(tf.float32, [None])
    (g,) = tf.gradients(tf.reduce_sum(p * p), p)
    assert g.shape.as_list() == [None]
    out = run(g, feed={p: [1.0, 2.0]})
    np.testing.assert_array_equal(out[0], [2.0, 4.0])


def test_gradients_of_a_variable_use_its_value():
    v = tf.Variable(2.0)
    (g,) = tf.gradients(v * v, v)
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run(g) == 4.0


def test_gradient_ops_live_under_the_gradients_scope():
    x = tf.constant(3.0, name="x")
    y = tf.multiply(x, x, name="sq")
    (g,) = tf.gradients(y, x)
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert any(n.startswith("gradients/sq_grad/") for n in names)
    assert g.op.name.startswith("gradients/")
    (g2,) = tf.gradients(y, x)
    assert g2.op.name.startswith("gradients_1/")


def test_op_without_a_gradient_raises_lookup_error_naming_it():
    from minigraph.framework.registry import OpDef, Spec, register_op

    @register_op("TestOnlyNoGradient")
    class NoGrad(OpDef):
        """Identity with no gradient function at all (test only)."""

        @staticmethod
        def infer(x):
            return Spec(x.dtype, x.shape)

        compute = staticmethod(lambda x: x)

    try:
        x = tf.constant(2.0)
        y = NoGrad.apply([x * 1.0], name="nograd")
        with pytest.raises(LookupError, match="No gradient defined for operation 'nograd' "
                                              "\\(op type: TestOnlyNoGradient\\)"):
            tf.gradients(y * 2.0, x)
        assert run(*tf.gradients(tf.stop_gradient(y) * 2.0 + x, x)) == [1.0]
    finally:
        from minigraph.framework import registry

        registry._OPS.pop("TestOnlyNoGradient")  # keep the op table clean for other tests


# -- 3.2 stop_gradient and stop_gradients -------------------------------------------------------
def test_stop_gradient_op():
    x = tf.constant(3.0)
    assert run(*tf.gradients(tf.stop_gradient(x * x) + x, x)) == [1.0]
    assert tf.gradients(tf.stop_gradient(x * x), x) == [None]
    a, b = tf.constant(1.0), tf.constant(2.0)
    assert tf.gradients(tf.stop_gradient(a) + tf.stop_gradient(b), [a, b]) == [None, None]
    sg = tf.stop_gradient(x)
    assert run(*tf.gradients(sg * 5.0, sg)) == [5.0]
    assert run(*tf.gradients(tf.stop_gradient(x * x) + x * x, x)) == [6.0]


def test_stop_gradients_argument_gives_partial_derivatives():
    a = tf.constant(0.0)
    b = 2.0 * a
    assert run(*tf.gradients(a + b, [a, b], stop_gradients=[a, b])) == [1.0, 1.0]
    assert run(*tf.gradients(a + b, [a, b])) == [3.0, 1.0]
    x = tf.constant(2.0)
    h = x * x
    y = 3.0 * h + x
    assert run(*tf.gradients(y, [x], stop_gradients=[h])) == [1.0]
    assert run(*tf.gradients(y, [x])) == [13.0]
    assert run(*tf.gradients(y, [x, h], stop_gradients=[h])) == [1.0, 3.0]
    assert tf.gradients(y, [x], stop_gradients=[y]) == [None]


# -- 3.3 aggregation -----------------------------------------------------------------------------
def test_contributions_over_several_paths_are_summed():
    x = tf.constant(3.0)
    (g,) = tf.gradients(x * x + x + tf.sin(x), x)
    np.testing.assert_allclose(run(g)[0], 6.0100074, rtol=1e-6)
    assert g.op.type == "AddN"


def test_single_contribution_passes_through_without_add():
    x = tf.constant(3.0)
    y = x * 2.0
    (g,) = tf.gradients(y, x)
    assert g.op.type != "AddN"


@pytest.mark.parametrize("method", [tf.AggregationMethod.ADD_N,
                                    tf.AggregationMethod.EXPERIMENTAL_TREE,
                                    tf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N])
def test_aggregation_methods_give_the_same_value(method):
    x = tf.constant(3.0)
    (g,) = tf.gradients(x * x + x, x, aggregation_method=method)
    assert run(g) == [7.0]


def test_unknown_aggregation_method_raises():
    x = tf.constant(3.0)
    with pytest.raises(ValueError, match="aggregation_method"):
        tf.gradients(x * x, x, aggregation_method=7)


def test_gate_and_colocate_flags_are_accepted():
    x = tf.constant(3.0)
    (g,) = tf.gradients(x * x, x, gate_gradients=True, colocate_gradients_with_ops=True)
    assert run(g) == [6.0]


# -- 3.5 higher order ----------------------------------------------------------------------------
def test_gradients_of_gradients():
    x = tf.constant(3.0)
    (g1,) = tf.gradients(x * x * x, x)
    (g2,) = tf.gradients(g1, x)
    assert run(g1, g2) == [27.0, 18.0]


def test_architecture_doc_example_float64_placeholder():
    x = tf.placeholder(tf.float64, [])
    (g,) = tf.gradients(x * x * x, [x])
    (h,) = tf.gradients(g, [x])
    assert run(g, h, feed={x: 2.0}) == [12.0, 12.0]


def test_gradient_none_means_no_gradient_flows_and_missing_gradient_raises(monkeypatch):
    from minigraph.ops.math_ops import Mul

    x = tf.constant(2.0)
    y = x * 3.0
    monkeypatch.setattr(Mul, "gradient", None)  # declared non-differentiable
    assert tf.gradients(y, [x]) == [None]
    monkeypatch.delattr(Mul, "gradient")  # no gradient at all: a LookupError naming the op
    with pytest.raises(LookupError, match="No gradient defined for operation 'mul'"):
        tf.gradients(y, [x])
