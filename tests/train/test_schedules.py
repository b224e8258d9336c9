"""Learning-rate schedules against the measured TF values."""

import doctest

import numpy as np
import pytest

import minigraph as tf
from minigraph.train import schedules

F = np.float32


def run(sess, tensor, feed=None):
    return sess.run(tensor, feed)


def assert_f32(value, expected):
    """float32 result equal to the measured float32 value (up to last-bit exp/pow rounding)."""
    assert value.dtype == np.float32, value.dtype
    np.testing.assert_allclose(value, F(expected), rtol=1e-6, atol=0)


# -- 1.4 measured values ----------------------------------------------------------------------
MEASURED = [
    (tf.train.exponential_decay, (0.1, 5, 3, 0.5), {"staircase": True}, 0.05),
    (tf.train.exponential_decay, (0.1, 5, 3, 0.5), {}, 0.031498026),
    (tf.train.exponential_decay, (0.1, 0, 3, 0.5), {}, 0.1),
    (tf.train.exponential_decay, (1.0, 10, 4, 0.96), {"staircase": True}, 0.9216),
    (tf.train.natural_exp_decay, (0.1, 5, 3, 0.5), {}, 0.043459825),
    (tf.train.natural_exp_decay, (0.1, 5, 3, 0.5), {"staircase": True}, 0.060653068),
    (tf.train.natural_exp_decay, (1.0, 7, 2, 1.0), {"staircase": True}, 0.04978707),
    (tf.train.inverse_time_decay, (0.1, 5, 3, 0.5), {}, 0.05454546),
    (tf.train.inverse_time_decay, (0.1, 5, 3, 0.5), {"staircase": True}, 0.06666667),
    (tf.train.inverse_time_decay, (1.0, 7, 2, 1.0), {"staircase": True}, 0.25),
    (tf.train.polynomial_decay, (0.1, 5, 10), {}, 0.05005),
    (tf.train.polynomial_decay, (0.1, 5, 10, 0.01), {"power": 2.0}, 0.0325),
    (tf.train.polynomial_decay, (0.1, 15, 10, 0.01), {}, 0.01),
    (tf.train.polynomial_decay, (0.1, 15, 10, 0.01), {"cycle": True}, 0.0325),
    (tf.train.polynomial_decay, (0.1, 0, 10, 0.01), {"cycle": True}, 0.1),
    (tf.train.polynomial_decay, (0.1, 10, 10, 0.01), {"cycle": True}, 0.01),
    (tf.train.polynomial_decay, (0.1, 20, 10, 0.01), {"cycle": True}, 0.01),
    (tf.train.polynomial_decay, (0.1, 21, 10, 0.01), {"cycle": True}, 0.037),
    (tf.train.polynomial_decay, (0.1, 3, 4, 0.0), {"power": 0.5}, 0.05),
    (tf.train.polynomial_decay, (1.0, 3, 4), {}, 0.25007498),
    (tf.train.cosine_decay, (0.1, 5, 10), {}, 0.049999997),
    (tf.train.cosine_decay, (0.1, 3, 10), {}, 0.07938927),
    (tf.train.cosine_decay, (0.1, 5, 10), {"alpha": 0.1}, 0.054999996),
    (tf.train.cosine_decay, (0.1, 20, 10), {"alpha": 0.1}, 0.010000001),
    (tf.train.cosine_decay_restarts, (1.0, 7, 10), {}, 0.20610741),
    (tf.train.cosine_decay_restarts, (1.0, 20, 10), {}, 0.49999997),
    (tf.train.cosine_decay_restarts, (0.1, 15, 10), {"t_mul": 1.0, "m_mul": 0.5}, 0.024999999),
    (tf.train.cosine_decay_restarts, (0.1, 25, 10), {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1},
     0.02125),
    (tf.train.cosine_decay_restarts, (0.1, 15, 10), {"t_mul": 2.0, "m_mul": 0.5, "alpha": 0.1},
     0.048409905),
    (tf.train.cosine_decay_restarts, (1.0, 45, 10), {"t_mul": 3.0, "m_mul": 0.5}, 0.24810097),
    (tf.train.linear_cosine_decay, (0.1, 0, 10), {}, 0.1001),
    (tf.train.linear_cosine_decay, (0.1, 5, 10), {}, 0.025099998),
    (tf.train.linear_cosine_decay, (0.1, 12, 10), {}, 0.000100000005),
    (tf.train.linear_cosine_decay, (0.1, 3, 10), {"num_periods": 2, "alpha": 0.1, "beta": 0.01},
     0.00863933),
    (tf.train.noisy_linear_cosine_decay, (0.1, 5, 10), {"initial_variance": 0.0}, 0.025099998),
]


@pytest.mark.parametrize("fn, args, kwargs, expected", MEASURED,
                         ids=[f"{m[0].__name__}{m[1]}{m[2]}" for m in MEASURED])
def test_measured_values_constant_step(sess, fn, args, kwargs, expected):
    lr = fn(*args, **kwargs)
    assert lr.shape.as_list() == []
    assert_f32(run(sess, lr), expected)


@pytest.mark.parametrize("fn, args, kwargs, expected", MEASURED,
                         ids=[f"{m[0].__name__}{m[1]}{m[2]}" for m in MEASURED])
def test_measured_values_int64_variable_step(sess, fn, args, kwargs, expected):
    """The same values through a real int64 step variable that is assigned between runs."""
    step = tf.Variable(0, dtype=tf.int64, trainable=False, name="global_step")
    lr = fn(args[0], step, *args[2:], **kwargs)
    sess.run(step.initializer)
    sess.run(step.assign(args[1]))
    assert_f32(run(sess, lr), expected)


def test_schedule_rereads_step_each_run(sess):
    step = tf.Variable(0, dtype=tf.int64, trainable=False)
    lr = tf.train.cosine_decay_restarts(0.1, step, 10)
    increment = step.assign_add(5)
    sess.run(step.initializer)
    seen = []
    for _ in range(8):
        seen.append(run(sess, lr))
        sess.run(increment)
    # steps 0, 5, 10, 15, 20, 25, 30, 35
    np.testing.assert_allclose(
        seen, F([0.1, 0.049999997, 0.1, 0.08535534, 0.049999997, 0.014644662, 0.1, 0.09619398]),
        rtol=1e-6)


def test_global_step_drives_schedule_through_minimize(sess):
    """The optimizer increments the step; the rate follows on each run."""
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(0.0)
    lr = tf.train.exponential_decay(1.0, gs, 1, 0.5)
    op = tf.train.GradientDescentOptimizer(lr).minimize(w, global_step=gs)
    sess.run(tf.global_variables_initializer())
    history = []
    for _ in range(4):
        sess.run(op)
        history.append(sess.run([w, gs]))
    assert history == [[-1.0, 1], [-1.5, 2], [-1.75, 3], [-1.875, 4]]
    assert sess.run(lr) == F(0.0625)


def test_placeholder_step(sess):
    step = tf.placeholder(tf.int64, [])
    lr = tf.train.piecewise_constant(step, [3, 7], [1.0, 0.5, 0.1])
    got = [run(sess, lr, {step: s}) for s in (3, 4, 5, 7, 8)]
    np.testing.assert_array_equal(got, F([1.0, 0.5, 0.5, 0.5, 0.1]))
    assert lr.dtype == tf.float32


# -- measured values of each schedule --------------------------------------------------------------
def test_exponential_decay_staircase_and_smooth(sess):
    assert run(sess, tf.train.exponential_decay(0.1, 5, 3, 0.5, staircase=True)) == F(0.05)
    assert_f32(run(sess, tf.train.exponential_decay(0.1, 5, 3, 0.5)), 0.031498026)


def test_polynomial_decay_with_and_without_cycle(sess):
    step = tf.placeholder(tf.int64, [])
    cyc = tf.train.polynomial_decay(0.1, step, 10, end_learning_rate=0.01, cycle=True)
    flat = tf.train.polynomial_decay(0.1, step, 10, end_learning_rate=0.01)
    assert_f32(run(sess, cyc, {step: 15}), 0.0325)
    assert_f32(run(sess, cyc, {step: 20}), 0.01)
    assert_f32(run(sess, cyc, {step: 0}), 0.1)
    assert_f32(run(sess, flat, {step: 15}), 0.01)


def test_cosine_decay_restarts_values(sess):
    assert_f32(run(sess, tf.train.cosine_decay_restarts(0.1, 15, 10)), 0.08535534)
    assert run(sess, tf.train.cosine_decay_restarts(0.1, 10, 10)) == F(0.1)
    assert_f32(run(sess, tf.train.cosine_decay_restarts(0.1, 15, 10, t_mul=2.0, m_mul=0.5,
                                                        alpha=0.1)), 0.048409905)


def test_piecewise_constant_boundaries_belong_to_the_earlier_piece(sess):
    x = tf.placeholder(tf.int32, [])
    lr = tf.train.piecewise_constant(x, [3, 7], [1.0, 0.5, 0.1])
    got = [run(sess, lr, {x: v}) for v in (3, 4, 7, 8)]
    np.testing.assert_array_equal(got, F([1.0, 0.5, 0.5, 0.1]))


def test_linear_cosine_decay_values(sess):
    assert_f32(run(sess, tf.train.linear_cosine_decay(0.1, 5, 10)), 0.025099998)
    assert_f32(run(sess, tf.train.linear_cosine_decay(0.1, 0, 10)), 0.1001)


def test_cosine_restart_periods_start_exactly(sess):
    """With t_mul=2 the periods start at 10, 30, 70, 150, 310, 630, 1270 (value lr0 again)."""
    step = tf.placeholder(tf.int64, [])
    lr = tf.train.cosine_decay_restarts(0.1, step, 10)
    for start in (10, 30, 70, 150, 310, 630, 1270):
        assert run(sess, lr, {step: start}) == F(0.1), start
        assert run(sess, lr, {step: start - 1}) < F(0.0025), start  # end of previous period


def test_cosine_restarts_tensor_t_mul(sess):
    """A t_mul known only at run time selects between the two period formulas."""
    t_mul = tf.placeholder(tf.float32, [])
    lr = tf.train.cosine_decay_restarts(0.1, 15, 10, t_mul=t_mul, m_mul=0.5)
    assert_f32(run(sess, lr, {t_mul: 1.0}), 0.024999999)
    expected = run(sess, tf.train.cosine_decay_restarts(0.1, 15, 10, t_mul=2.0, m_mul=0.5))
    assert run(sess, lr, {t_mul: 2.0}) == expected


# -- 1.3 edge cases ---------------------------------------------------------------------------
def test_edge_decay_steps_zero_and_negative_steps(sess):
    assert run(sess, tf.train.exponential_decay(0.1, 5, 0, 0.5)) == F(0.0)
    assert np.isnan(run(sess, tf.train.exponential_decay(0.1, 0, 0, 0.5)))
    for cycle in (False, True):
        for step in (5, 0):
            assert np.isnan(run(sess, tf.train.polynomial_decay(0.1, step, 0, cycle=cycle)))
    assert np.isnan(run(sess, tf.train.cosine_decay(0.1, 5, 0)))
    assert_f32(run(sess, tf.train.exponential_decay(0.1, -1, 1, 0.5)), 0.2)
    assert_f32(run(sess, tf.train.polynomial_decay(0.1, -5, 10, 0.0)), 0.15)
    assert_f32(run(sess, tf.train.polynomial_decay(0.1, 10, 10, 0.0, power=0.0)), 0.1)
    assert_f32(run(sess, tf.train.exponential_decay(0.1, 2, 1, 2.0)), 0.4)
    assert_f32(run(sess, tf.train.exponential_decay(0.1, 2.5, 1, 0.5)), 0.01767767)


def test_staircase_uses_float_division(sess):
    """floor(float(step) / float(decay_steps)): a non-integer decay_steps works."""
    lr = tf.train.exponential_decay(1.0, 5, 2.5, 0.5, staircase=True)
    assert run(sess, lr) == F(0.25)


def test_polynomial_rising_ramp(sess):
    assert_f32(run(sess, tf.train.polynomial_decay(0.1, 5, 10, end_learning_rate=0.3)), 0.2)


def test_linear_cosine_after_end_is_beta(sess):
    assert_f32(run(sess, tf.train.linear_cosine_decay(1.0, 50, 10)), 0.001)


# -- dtypes -----------------------------------------------------------------------------------
def test_float64_exponential_matches_measured(sess):
    lr = tf.train.exponential_decay(tf.constant(0.1, tf.float64), 5, 3, 0.5)
    value = run(sess, lr)
    assert lr.dtype == tf.float64 and value.dtype == np.float64
    assert value == 0.03149802624737183


FLOAT64_CASES = [
    (tf.train.exponential_decay, (5, 3, 0.5), {}),
    (tf.train.natural_exp_decay, (5, 3, 0.5), {}),
    (tf.train.inverse_time_decay, (5, 3, 0.5), {}),
    (tf.train.polynomial_decay, (15, 10, 0.01), {"cycle": True}),
    (tf.train.polynomial_decay, (5, 10), {"power": 2.0}),
    (tf.train.cosine_decay, (3, 10), {"alpha": 0.1}),
    (tf.train.cosine_decay_restarts, (45, 10), {"t_mul": 3.0, "m_mul": 0.5}),
    (tf.train.cosine_decay_restarts, (25, 10), {"t_mul": 1.0, "m_mul": 0.5}),
    (tf.train.linear_cosine_decay, (3, 10), {"num_periods": 2, "alpha": 0.1}),
    (tf.train.noisy_linear_cosine_decay, (5, 10), {"initial_variance": 0.0}),
]


@pytest.mark.parametrize("fn, args, kwargs", FLOAT64_CASES,
                         ids=[f"{c[0].__name__}{c[2]}" for c in FLOAT64_CASES])
def test_float64_learning_rate_everywhere(sess, fn, args, kwargs):
    """TF fails for the cosine family and cycle=True; minigraph keeps float64 throughout."""
    lr64 = fn(tf.constant(0.1, tf.float64), *args, **kwargs)
    lr32 = fn(0.1, *args, **kwargs)
    assert lr64.dtype == tf.float64
    v64, v32 = run(sess, lr64), run(sess, lr32)
    assert v64.dtype == np.float64
    np.testing.assert_allclose(v64, v32, rtol=1e-6)


def test_float64_keeps_python_constants_exact(sess):
    lr = tf.train.exponential_decay(tf.constant(1.0, tf.float64), 1, 1, 0.96)
    assert run(sess, lr) == 0.96


def test_integer_learning_rate_is_type_error():
    with pytest.raises(TypeError, match="exponential_decay.*floating-point.*1.0"):
        tf.train.exponential_decay(1, 5, 3, 0.5)


# -- piecewise_constant -----------------------------------------------------------------------
def test_piecewise_int_values_give_int32(sess):
    lr = tf.train.piecewise_constant(5, [3, 7], [10, 5, 1])
    value = run(sess, lr)
    assert lr.dtype == tf.int32 and value == 5


def test_piecewise_float_x_boundary_goes_left(sess):
    assert run(sess, tf.train.piecewise_constant(2.5, [2.5, 3.0], [1., 2., 3.])) == F(1.0)


def test_piecewise_int32_boundaries_promoted_for_int64_step(sess):
    step = tf.Variable(0, dtype=tf.int64)
    lr = tf.train.piecewise_constant(step, [3, 7], [1.0, 0.5, 0.1])
    sess.run(step.initializer)
    sess.run(step.assign(9))
    assert run(sess, lr) == F(0.1)


def test_piecewise_errors():
    with pytest.raises(ValueError, match="1 less than.*2 boundaries and 2 values"):
        tf.train.piecewise_constant(1, [3, 7], [1.0, 0.5])
    with pytest.raises(ValueError, match=r"boundaries \(float32\).*same dtype as x \(int32\)"):
        tf.train.piecewise_constant(1, [3.0, 7.0], [1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match=r"boundaries \(int32\).*same dtype as x \(float32\)"):
        tf.train.piecewise_constant(1.0, [3, 7], [1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match=r"boundaries \(int64\).*same dtype as x \(int32\)"):
        tf.train.piecewise_constant(1, [tf.constant(3, tf.int64)], [1.0, 0.5])
    with pytest.raises(ValueError, match="same dtype, got float32.*int32"):
        tf.train.piecewise_constant(1, [3, 7], [1.0, 1, 0.1])
    with pytest.raises(ValueError, match="increase strictly"):
        tf.train.piecewise_constant(1, [7, 3], [1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match=r"increase strictly, got \[3, 3\]"):
        tf.train.piecewise_constant(tf.constant(1, tf.int64), [3, 3], [1.0, 0.5, 0.1])
    with pytest.raises(ValueError, match="at least one boundary"):
        tf.train.piecewise_constant(1, [], [1.0])
    with pytest.raises(ValueError, match="requires x"):
        tf.train.piecewise_constant(None, [3], [1.0, 0.5])


# -- global_step=None -------------------------------------------------------------------------
NONE_STEP = [
    (tf.train.exponential_decay, (0.1, None, 3, 0.5)),
    (tf.train.natural_exp_decay, (0.1, None, 3, 0.5)),
    (tf.train.inverse_time_decay, (0.1, None, 3, 0.5)),
    (tf.train.polynomial_decay, (0.1, None, 3)),
    (tf.train.cosine_decay, (0.1, None, 3)),
    (tf.train.cosine_decay_restarts, (0.1, None, 3)),
    (tf.train.linear_cosine_decay, (0.1, None, 3)),
    (tf.train.noisy_linear_cosine_decay, (0.1, None, 3)),
]


@pytest.mark.parametrize("fn, args", NONE_STEP, ids=[c[0].__name__ for c in NONE_STEP])
def test_global_step_none_names_schedule(fn, args):
    with pytest.raises(ValueError, match=f"{fn.__name__} requires a global_step"):
        fn(*args)


# -- noisy_linear_cosine_decay ----------------------------------------------------------------
def test_noisy_draws_each_run_with_expected_statistics(sess):
    tf.set_random_seed(1234)
    lr = tf.train.noisy_linear_cosine_decay(0.1, 5, 10)
    draws = np.array([run(sess, lr) for _ in range(2000)])
    assert draws.dtype == np.float32
    assert len(np.unique(draws)) > 1900  # a new sample on every run
    # Expected mean 0.0251 (linear_cosine), std 0.1 * 0.5 * sqrt(6 ** -0.55) = 0.03055.
    assert abs(draws.mean() - 0.0251) < 0.004
    assert abs(draws.std() - 0.03055) < 0.003


def test_noisy_is_reproducible_with_graph_seed():
    def sample():
        tf.reset_default_graph()
        tf.set_random_seed(7)
        lr = tf.train.noisy_linear_cosine_decay(0.1, 5, 10)
        with tf.Session() as s:
            return [s.run(lr) for _ in range(3)]

    assert sample() == sample()


def test_noisy_variance_uses_clamped_step(sess):
    """Past decay_steps the linear part is 0 and the cosine part 0: only lr0 * beta remains."""
    lr = tf.train.noisy_linear_cosine_decay(0.1, 50, 10)
    assert_f32(run(sess, lr), 0.0001)


# -- names and docs ---------------------------------------------------------------------------
def test_default_name_scopes():
    lr = tf.train.exponential_decay(0.1, 5, 3, 0.5)
    assert lr.op.name.startswith("ExponentialDecay/")
    lr = tf.train.cosine_decay_restarts(0.1, 5, 3, name="sgdr")
    assert lr.op.name.startswith("sgdr/")


def test_docstring_examples():
    result = doctest.testmod(schedules, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 9 and result.failed == 0
