"""Optimizers against the measured TF values."""

import numpy as np
import pytest

import minigraph as tf
from minigraph.ops import training_ops
from minigraph.train.adam_weight_decay import AdamWeightDecayOptimizer

F = np.float32


def assert_f32(value, expected):
    """Bit-exact float32 equality with a measured value (its float32 repr)."""
    value = np.asarray(value)
    assert value.dtype == np.float32, value.dtype
    np.testing.assert_array_equal(value, F(expected))


def apply_steps(sess, opt, steps, grad=(0.1, 0.1), init=(1.0, 2.0), slots=()):
    """The standard setup of 6.x: v = [1, 2], a constant gradient, `steps` applications.

    Returns the list of variable values after each step and the slot values after each.
    """
    v = tf.Variable(list(init), name="v")
    op = opt.apply_gradients([(list(grad), v)])
    sess.run(tf.global_variables_initializer())
    values, slot_values = [], {s: [] for s in slots}
    for _ in range(steps):
        assert sess.run(op) is None
        values.append(sess.run(v))
        for s in slots:
            slot_values[s].append(sess.run(opt.get_slot(v, s)))
    return values, slot_values


# -- 6.1-6.8: measured values, standard setup ----------------------------------------------
MEASURED = [
    ("gd 0.1", lambda: tf.train.GradientDescentOptimizer(0.1),
     [[0.9900000095367432, 1.9900000095367432], [0.9800000190734863, 1.9800000190734863],
      [0.9700000286102295, 1.9700000286102295]]),
    ("gd 0.001", lambda: tf.train.GradientDescentOptimizer(0.001),
     [[0.9998999834060669, 1.999899983406067], [0.9997999668121338, 1.9997999668121338]]),
    ("momentum", lambda: tf.train.MomentumOptimizer(0.1, 0.9),
     [[0.9900000095367432, 1.9900000095367432], [0.9710000157356262, 1.9709999561309814],
      [0.9438999891281128, 1.9438999891281128]]),
    ("nesterov", lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
     [[0.9810000061988831, 1.9809999465942383], [0.9538999795913696, 1.9538999795913696],
      [0.919510006904602, 1.919510006904602]]),
    ("momentum 0.001", lambda: tf.train.MomentumOptimizer(0.001, 0.9),
     [[0.9998999834060669, 1.999899983406067], [0.999709963798523, 1.999709963798523]]),
    ("adam 0.001", lambda: tf.train.AdamOptimizer(0.001),
     [[0.9990000128746033, 1.9989999532699585], [0.9980000257492065, 1.997999906539917],
      [0.9970000386238098, 1.9969998598098755]]),
    ("adam 0.1", lambda: tf.train.AdamOptimizer(0.1),
     [[0.9000003337860107, 1.9000003337860107], [0.8000009059906006, 1.8000009059906006],
      [0.7000017762184143, 1.7000017166137695]]),
    ("adagrad", lambda: tf.train.AdagradOptimizer(0.1),
     [[0.9698488712310791, 1.969848871231079], [0.9409813284873962, 1.940981388092041],
      [0.9132463335990906, 1.9132463932037354]]),
    ("adagrad 0.001", lambda: tf.train.AdagradOptimizer(0.001),
     [[0.9996984601020813, 1.999698519706726], [0.9994097948074341, 1.999409794807434]]),
    ("adadelta default", lambda: tf.train.AdadeltaOptimizer(),
     [[0.9999995231628418, 1.9999995231628418], [0.9999990463256836, 1.9999990463256836],
      [0.9999985694885254, 1.9999985694885254]]),
    ("adadelta 1.0", lambda: tf.train.AdadeltaOptimizer(1.0),
     [[0.9995527863502502, 1.999552845954895], [0.999099850654602, 1.9990999698638916],
      [0.9986431002616882, 1.998643159866333]]),
    ("rmsprop", lambda: tf.train.RMSPropOptimizer(0.01),
     [[0.998946487903595, 1.9989465475082397], [0.9978366494178772, 1.997836709022522],
      [0.9966676235198975, 1.9966676235198975]]),
    ("rmsprop momentum", lambda: tf.train.RMSPropOptimizer(0.01, momentum=0.9),
     [[0.998946487903595, 1.9989465475082397], [0.9968885183334351, 1.9968886375427246],
      [0.9938672780990601, 1.9938673973083496]]),
    ("rmsprop centered", lambda: tf.train.RMSPropOptimizer(0.01, centered=True),
     [[0.9989464282989502, 1.9989464282989502], [0.9978363513946533, 1.9978363513946533],
      [0.9966667294502258, 1.996666669845581]]),
    ("rmsprop 0.001", lambda: tf.train.RMSPropOptimizer(0.001),
     [[0.9998946785926819, 1.999894618988037], [0.9997836947441101, 1.9997836351394653]]),
    ("proximal", lambda: tf.train.ProximalGradientDescentOptimizer(0.1, 0.05, 0.1),
     [[0.9752475619316101, 1.9653465747833252], [0.9507401585578918, 1.9310362339019775],
      [0.9264754056930542, 1.8970656394958496]]),
    ("proximal 0.001", lambda: tf.train.ProximalGradientDescentOptimizer(0.001, 0.05, 0.1),
     [[0.9997499585151672, 1.999650001525879], [0.9994999766349792, 1.9993001222610474]]),
]


@pytest.mark.parametrize("label, make, expected", MEASURED, ids=[m[0] for m in MEASURED])
def test_measured_steps_bit_exact(sess, label, make, expected):
    values, _ = apply_steps(sess, make(), len(expected))
    for got, want in zip(values, expected, strict=True):
        assert_f32(got, want)


FTRL = [
    ({}, 0.1, [[0.016386274248361588, 0.06292368471622467],
               [-0.012481240555644035, 0.0340561680495739],
               [-0.04021625220775604, 0.00632115826010704]]),
    ({"l1_regularization_strength": 0.001, "l2_regularization_strength": 0.001}, 0.1,
     [[0.016075069084763527, 0.06258442997932434],
      [-0.012198771350085735, 0.03373357281088829]]),
    ({}, 0.001, [[0.04623589664697647, 0.09277331084012985],
                 [0.04594722390174866, 0.09248463064432144]]),
]


@pytest.mark.parametrize("kwargs, lr, expected", FTRL)
def test_ftrl_measured_to_the_last_digit(sess, kwargs, lr, expected):
    values, _ = apply_steps(sess, tf.train.FtrlOptimizer(lr, **kwargs), len(expected))
    for got, want in zip(values, expected, strict=True):
        np.testing.assert_allclose(got, F(want), rtol=1e-6)


def test_ftrl_linear_slot_after_one_step(sess):
    _, slots = apply_steps(sess, tf.train.FtrlOptimizer(0.1), 1, slots=("linear", "accum"))
    np.testing.assert_allclose(slots["linear"][0], F([-0.054347120225429535,
                                                       -0.2086942493915558]), rtol=1e-6)
    assert_f32(slots["accum"][0], F(0.1) + F(0.1) * F(0.1))


def test_momentum_accumulator(sess):
    _, slots = apply_steps(sess, tf.train.MomentumOptimizer(0.1, 0.9), 3, slots=("momentum",))
    for got, want in zip(slots["momentum"], [0.10000000149011612, 0.1899999976158142,
                                             0.2709999978542328], strict=True):
        assert_f32(got, [want, want])


def test_adam_slots_and_beta_powers(sess):
    opt = tf.train.AdamOptimizer(0.001)
    v = tf.Variable([1.0, 2.0], name="v")
    op = opt.apply_gradients([([0.1, 0.1], v)])
    sess.run(tf.global_variables_initializer())
    b1, b2 = opt._get_beta_accumulators()
    assert (b1.name, b2.name) == ("beta1_power:0", "beta2_power:0")
    assert_f32(sess.run(b1), 0.9)
    assert_f32(sess.run(b2), 0.999)
    ms = [0.010000002570450306, 0.01900000497698784, 0.027100007981061935]
    vs = [9.999871508625802e-06, 1.9989744032500312e-05, 2.9969625757075846e-05]
    powers = [(0.80999994, 0.99800104), (0.7289999, 0.9970031)]
    for step in range(3):
        sess.run(op)
        assert_f32(sess.run(opt.get_slot(v, "m")), [ms[step]] * 2)
        assert_f32(sess.run(opt.get_slot(v, "v")), [vs[step]] * 2)
        if step < 2:
            np.testing.assert_allclose(sess.run([b1, b2]), powers[step], rtol=1e-7)


def test_adam_epsilon_and_zero_gradient(sess):
    v = tf.Variable([1.0], name="v")
    w = tf.Variable([1.0, 2.0], name="w")
    op1 = tf.train.AdamOptimizer(0.1, epsilon=1.0).apply_gradients([([0.1], v)])
    op2 = tf.train.AdamOptimizer(0.1).apply_gradients([([0.0, 0.5], w)])
    sess.run(tf.global_variables_initializer())
    sess.run([op1, op2])
    assert_f32(sess.run(v), [0.999684751033783])
    assert_f32(sess.run(w), [1.0, 1.9000000953674316])


def test_adagrad_slots(sess):
    _, s = apply_steps(sess, tf.train.AdagradOptimizer(0.1), 3, slots=("accumulator",))
    assert_f32(s["accumulator"][0], [0.10999999940395355] * 2)
    np.testing.assert_allclose(s["accumulator"], [[0.11] * 2, [0.12] * 2, [0.13] * 2],
                               rtol=1e-6)


def test_adadelta_slots(sess):
    _, s = apply_steps(sess, tf.train.AdadeltaOptimizer(1.0), 3, slots=("accum", "accum_update"))
    for got, want in zip(s["accum"], [0.0005000001401640475, 0.0009750002645887434,
                                      0.0014262504409998655], strict=True):
        assert_f32(got, [want] * 2)
    for got, want in zip(s["accum_update"], [9.999799210902438e-09, 1.9756011937488438e-08,
                                             2.9199693329928778e-08], strict=True):
        assert_f32(got, [want] * 2)


def test_rmsprop_slots(sess):
    _, s = apply_steps(sess, tf.train.RMSPropOptimizer(0.01), 3, slots=("rms", "momentum"))
    for got, want in zip(s["rms"], [0.9009999632835388, 0.8118999600410461,
                                    0.7317099571228027], strict=True):
        assert_f32(got, [want] * 2)
    for got, want in zip(s["momentum"], [0.001053507556207478, 0.0011098103132098913,
                                         0.0011690431274473667], strict=True):
        assert_f32(got, [want] * 2)


def test_centered_rmsprop_slots(sess):
    _, s = apply_steps(sess, tf.train.RMSPropOptimizer(0.01, centered=True), 3,
                       slots=("mg", "momentum"))
    for got, want in zip(s["mg"], [0.010000002570450306, 0.01900000497698784,
                                   0.027100007981061935], strict=True):
        assert_f32(got, [want] * 2)
    assert_f32(s["momentum"][0], [0.0010535659966990352] * 2)


# -- 6.9: minimize on reduce_sum(w*w) with a global step ----------------------------------
TABLE = [
    (lambda: tf.train.GradientDescentOptimizer(0.1), tf.float32,
     [0.800000011920929, 1.600000023841858], [0.6399999856948853, 1.2799999713897705]),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), tf.float32,
     [0.800000011920929, 1.600000023841858], [0.46000000834465027, 0.9200000166893005]),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True), tf.float32,
     [0.6200000047683716, 1.2400000095367432], [0.2224000096321106, 0.4448000192642212]),
    (lambda: tf.train.AdamOptimizer(0.1), tf.float32,
     [0.9000000357627869, 1.899999976158142], [0.8004125952720642, 1.8001668453216553]),
    (lambda: tf.train.AdamOptimizer(0.1), tf.float64,
     [0.9000000143213716, 1.9000000064156284], [0.8004125911513892, 1.800166836050527]),
    (lambda: tf.train.AdagradOptimizer(0.1), tf.float32,
     [0.9012270569801331, 1.90031099319458], [0.8347373008728027, 1.83154296875]),
    (lambda: tf.train.RMSPropOptimizer(0.1), tf.float32,
     [0.824588418006897, 1.7470178604125977], [0.6872513294219971, 1.5594706535339355]),
    (lambda: tf.train.RMSPropOptimizer(0.1, momentum=0.5, centered=True), tf.float32,
     [0.8218258619308472, 1.7385118007659912], [0.5897623300552368, 1.4056057929992676]),
    (lambda: tf.train.AdadeltaOptimizer(1.0), tf.float32,
     [0.9995527863502502, 1.999552845954895], [0.9990999698638916, 1.9990999698638916]),
]


@pytest.mark.parametrize("make, dtype, step1, step2", TABLE)
def test_minimize_table_with_global_step(sess, make, dtype, step1, step2):
    w = tf.Variable(np.array([1.0, 2.0], dtype.as_numpy_dtype), name="w")
    gs = tf.train.get_or_create_global_step()
    op = make().minimize(tf.reduce_sum(w * w), global_step=gs)
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    first = sess.run(w)
    sess.run(op)
    second, step = sess.run(w), sess.run(gs)
    if dtype == tf.float32:
        assert_f32(first, step1)
        assert_f32(second, step2)
    else:
        assert first.dtype == np.float64
        np.testing.assert_allclose(first, step1, rtol=1e-15)
        np.testing.assert_allclose(second, step2, rtol=1e-15)
    assert step == 2 and step.dtype == np.int64


def test_adam_float64_variable_uses_float32_hyper_parameters(sess):
    w = tf.Variable(np.array([1.0], np.float64), name="w")
    opt = tf.train.AdamOptimizer(0.1)
    op = opt.apply_gradients([(tf.constant([2.0], tf.float64), w)])
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    b1, b2 = opt._get_beta_accumulators()
    assert b1.dtype.base_dtype == tf.float32 and b2.dtype.base_dtype == tf.float32
    np.testing.assert_allclose(sess.run(opt.get_slot(w, "m")), [0.20000005], rtol=1e-7)
    assert sess.run(opt.get_slot(w, "m"))[0] != 0.2
    np.testing.assert_allclose(sess.run(opt.get_slot(w, "v")), [0.00399995], rtol=1e-6)
    np.testing.assert_allclose(sess.run(w), [0.9000000143213716], rtol=1e-15)
    types = {o.type for o in tf.get_default_graph().get_operations()}
    assert "Cast" in types


# -- whole training steps ---------------------------------------------------------------------
def test_schedule_driven_by_global_step(sess):
    gs = tf.train.get_or_create_global_step()
    w = tf.Variable(0.0, name="w")
    lr = tf.train.exponential_decay(1.0, gs, 1, 0.5)
    op = tf.train.GradientDescentOptimizer(lr).minimize(w, global_step=gs)
    sess.run(tf.global_variables_initializer())
    for want_w, want_gs in zip([-1.0, -1.5, -1.75, -1.875], [1, 2, 3, 4], strict=True):
        sess.run(op)
        assert_f32(sess.run(w), want_w)
        assert sess.run(gs) == want_gs
    assert_f32(sess.run(lr), 0.0625)


def test_adam_nesterov_momentum_rmsprop_adagrad_two_steps(sess):
    v13, v14, v15, v16 = (tf.Variable([1.0, 2.0], name=n) for n in ("a", "b", "c", "d"))
    adam = tf.train.AdamOptimizer(0.001)
    rms = tf.train.RMSPropOptimizer(0.01)
    ada = tf.train.AdagradOptimizer(0.1)
    ops = [adam.apply_gradients([([0.1, 0.1], v13)]),
           tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True).apply_gradients(
               [([0.1, 0.1], v14)]),
           rms.apply_gradients([([0.1, 0.1], v15)]),
           ada.apply_gradients([([0.1, 0.1], v16)])]
    sess.run(tf.global_variables_initializer())
    sess.run(ops)
    assert_f32(sess.run(v13), [0.9990000128746033, 1.9989999532699585])
    assert_f32(sess.run(adam.get_slot(v13, "m")), [0.010000002570450306] * 2)
    np.testing.assert_allclose(sess.run(list(adam._get_beta_accumulators())),
                               [0.80999994, 0.99800104], rtol=1e-7)
    assert_f32(sess.run(v14), [0.9810000061988831, 1.9809999465942383])
    assert_f32(sess.run(v15), [0.998946487903595, 1.9989465475082397])
    assert_f32(sess.run(rms.get_slot(v15, "rms")), [0.9009999632835388] * 2)
    assert_f32(sess.run(v16), [0.9698488712310791, 1.969848871231079])
    assert_f32(sess.run(ada.get_slot(v16, "accumulator")), [0.10999999940395355] * 2)
    sess.run(ops)
    assert_f32(sess.run(v13), [0.9980000257492065, 1.997999906539917])
    assert_f32(sess.run(v14), [0.9538999795913696, 1.9538999795913696])


def test_gd_minimize_with_int64_global_step(sess):
    w = tf.Variable([1.0, 2.0], name="w")
    gs = tf.train.get_or_create_global_step()
    op = tf.train.GradientDescentOptimizer(0.1).minimize(tf.reduce_sum(w * w), global_step=gs)
    sess.run(tf.global_variables_initializer())
    assert sess.run(op) is None
    sess.run(op)
    assert_f32(sess.run(w), [0.6399999856948853, 1.2799999713897705])
    step = sess.run(gs)
    assert step == 2 and step.dtype == np.int64


def test_minimize_errors_name_the_variables_without_gradients():
    a, b = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b")
    x = tf.constant(3.0, name="x")
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="No gradients provided for any variable") as e:
        opt.minimize(x * 2.0, var_list=[a, b])
    assert "'a:0'" in str(e.value) or "a:0" in str(e.value)
    assert "mul" in str(e.value)  # names the loss
    with pytest.raises(ValueError, match="No gradients provided for any variable") as e:
        opt.apply_gradients([(None, b)])
    assert "b:0" in str(e.value)
    with pytest.raises(ValueError, match="No variables provided"):
        opt.apply_gradients([])
    tf.train.create_global_step()
    with pytest.raises(ValueError, match="already exists"):
        tf.train.create_global_step()


def test_bert_adam_weight_decay_matches_tf(sess):
    with tf.variable_scope("dense"):
        kernel = tf.get_variable("kernel", initializer=tf.constant([1.0, 2.0]))
        bias = tf.get_variable("bias", initializer=tf.constant([1.0, 2.0]))
    gs = tf.train.get_or_create_global_step()
    opt = AdamWeightDecayOptimizer(0.001, weight_decay_rate=0.01,
                                   exclude_from_weight_decay=["LayerNorm", "layer_norm", "bias"])
    op = opt.apply_gradients([([0.1, 0.1], kernel), ([0.1, 0.1], bias), (None, gs)],
                             global_step=gs)
    assert op.type == "NoOp"
    sess.run(tf.global_variables_initializer())
    kernels = [[0.9968287348747253, 1.9968187808990479], [0.9925701022148132, 1.9925501346588135],
               [0.9876108169555664, 1.9875808954238892]]
    biases = [[0.9968387484550476, 1.9968386888504028], [0.9925901293754578, 1.992590069770813],
              [0.9876407980918884, 1.9876407384872437]]
    for want_k, want_b in zip(kernels, biases, strict=True):
        sess.run(op)
        assert_f32(sess.run(kernel), want_k)
        assert_f32(sess.run(bias), want_b)
    m = tf.get_default_graph().get_tensor_by_name("dense/kernel/adam_m:0")
    v = tf.get_default_graph().get_tensor_by_name("dense/kernel/adam_v:0")
    assert_f32(sess.run(m), [0.02710000053048134] * 2)
    assert_f32(sess.run(v), [2.9970015020808205e-05] * 2)
    assert sess.run(gs) == 0  # global_step is ignored
    assert opt.get_slot(kernel, "adam_m") is None and opt.get_slot_names() == []
    names = [x.name for x in tf.global_variables()]
    assert "dense/kernel/adam_m:0" in names and "dense/bias/adam_v:0" in names
    with pytest.raises(ValueError, match="already exists"):
        opt.apply_gradients([([0.1, 0.1], kernel)])
    assert opt.apply_gradients([(None, kernel)]).type == "NoOp"  # all None: no error


# -- 5.3: semantics of one run ----------------------------------------------------------
def test_simultaneous_update_and_pre_update_loss(sess):
    a, b = tf.Variable(1.0, name="a"), tf.Variable(2.0, name="b")
    op = tf.train.GradientDescentOptimizer(0.1).minimize(a * b)
    w = tf.Variable(3.0, name="w")
    loss = w * w
    op2 = tf.train.GradientDescentOptimizer(0.1).minimize(loss, var_list=[w])
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    assert_f32(sess.run(a), 0.8)
    assert_f32(sess.run(b), 1.9)
    assert_f32(sess.run([op2, loss])[1], 9.0)
    assert_f32(sess.run([op2, loss])[1], F(5.76))


def test_same_variable_twice_is_updated_twice(sess):
    v = tf.Variable(1.0, name="v")
    op = tf.train.GradientDescentOptimizer(1.0).apply_gradients(iter([(0.1, v), (0.2, v)]))
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    np.testing.assert_allclose(sess.run(v), 0.7, rtol=1e-6)


def test_train_op_names_type_and_collection():
    v = tf.Variable([1.0], name="v")
    gs = tf.train.get_or_create_global_step()
    opt = tf.train.GradientDescentOptimizer(0.1)
    first = opt.apply_gradients([([1.0], v)], global_step=gs)
    second = opt.apply_gradients([([1.0], v)], global_step=gs)
    named = opt.apply_gradients([([1.0], v)], name="mytrain")
    assert isinstance(first, tf.Operation)
    assert (first.name, first.type) == ("GradientDescent", "AssignAdd")
    assert second.name == "GradientDescent_1"
    assert (named.name, named.type) == ("mytrain", "NoOp")
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [first, second, named]
    update = tf.get_default_graph().get_operation_by_name("GradientDescent/update")
    assert update in first.control_inputs
    apply_op = tf.get_default_graph().get_operation_by_name(
        "GradientDescent/update_v/ApplyGradientDescent")
    assert apply_op.type == "ApplyGradientDescent"


def test_update_op_types_and_scopes():
    expected = {"ApplyGradientDescent": tf.train.GradientDescentOptimizer(0.1),
                "ApplyMomentum": tf.train.MomentumOptimizer(0.1, 0.9),
                "ApplyAdam": tf.train.AdamOptimizer(),
                "ApplyAdagrad": tf.train.AdagradOptimizer(0.1),
                "ApplyAdadelta": tf.train.AdadeltaOptimizer(),
                "ApplyRMSProp": tf.train.RMSPropOptimizer(0.1),
                "ApplyCenteredRMSProp": tf.train.RMSPropOptimizer(0.1, centered=True),
                "ApplyFtrlV2": tf.train.FtrlOptimizer(0.1),
                "ApplyProximalGradientDescent": tf.train.ProximalGradientDescentOptimizer(0.1)}
    with tf.variable_scope("layer"):
        v = tf.get_variable("kernel", [2])
    for op_type, opt in expected.items():
        train = opt.apply_gradients([([1.0, 1.0], v)])
        update = train.control_inputs[0]
        assert update.type == op_type
        assert update.name == f"{train.name}/update_layer/kernel/{op_type}"


def test_global_step_variants(sess):
    v = tf.Variable([1.0], name="v")
    int32_step = tf.Variable(0, trainable=False, name="step32")
    float_step = tf.Variable(0.0, trainable=False, name="stepf")
    opt = tf.train.GradientDescentOptimizer(0.1)
    op1 = opt.apply_gradients([([1.0], v)], global_step=int32_step)
    op2 = opt.apply_gradients([([1.0], v)], global_step=float_step)
    sess.run(tf.global_variables_initializer())
    sess.run(op1)
    sess.run(op1)
    sess.run(op2)
    assert sess.run(int32_step) == 2 and sess.run(int32_step).dtype == np.int32
    assert sess.run(float_step) == 1.0
    with pytest.raises(AttributeError, match="assign_add"):
        opt.apply_gradients([([1.0], v)], global_step=tf.constant(0))


# -- 5.6: hyper-parameters -----------------------------------------------------------------
def test_placeholder_learning_rate_is_read_every_run(sess):
    lr = tf.placeholder(tf.float32, [], name="lr")
    v = tf.Variable([1.0], name="v")
    op = tf.train.GradientDescentOptimizer(lr).apply_gradients([([1.0], v)])
    sess.run(tf.global_variables_initializer())
    sess.run(op, {lr: 0.3})
    sess.run(op, {lr: 0.2})
    np.testing.assert_allclose(sess.run(v), [0.5], rtol=1e-6)


def test_callable_learning_rate_called_once(sess):
    calls = []

    def lr():
        calls.append(1)
        return 0.5

    v = tf.Variable([1.0], name="v")
    op = tf.train.GradientDescentOptimizer(lr).minimize(tf.reduce_sum(v))
    sess.run(tf.global_variables_initializer())
    for _ in range(3):
        sess.run(op)
    assert len(calls) == 1
    assert_f32(sess.run(v), [-0.5])


def test_float64_learning_rate_with_float32_variable(sess):
    v = tf.Variable([1.0], name="v")
    op = tf.train.GradientDescentOptimizer(tf.constant(0.5, tf.float64)).apply_gradients(
        [([1.0], v)])
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    assert_f32(sess.run(v), [0.5])


def test_python_float_becomes_float32_before_cast_for_float64_variable(sess):
    v = tf.Variable(np.array([1.0]), name="v")
    op = tf.train.GradientDescentOptimizer(0.1).apply_gradients(
        [(tf.constant([1.0], tf.float64), v)])
    sess.run(tf.global_variables_initializer())
    sess.run(op)
    assert sess.run(v)[0] == 1.0 - float(F(0.1))


# -- 5.5: slots -----------------------------------------------------------------------------
def test_slot_names_and_variables_sorted():
    with tf.variable_scope("layer"):
        kernel = tf.get_variable("kernel", [2, 2])
    bias = tf.Variable([0.0, 0.0], name="bias")
    opt = tf.train.AdamOptimizer()
    opt.minimize(tf.reduce_sum(tf.matmul(tf.ones([1, 2]), kernel) + bias))
    assert [v.name for v in opt.variables()] == [
        "beta1_power:0", "beta2_power:0", "bias/Adam:0", "bias/Adam_1:0",
        "layer/kernel/Adam:0", "layer/kernel/Adam_1:0"]
    assert opt.get_slot(kernel, "m").name == "layer/kernel/Adam:0"
    assert opt.get_slot(kernel, "v").name == "layer/kernel/Adam_1:0"
    assert opt.get_slot_names() == ["m", "v"]
    assert opt.get_slot(kernel, "nope") is None
    second = tf.train.AdamOptimizer()
    second.minimize(tf.reduce_sum(bias))
    assert second.get_slot(bias, "m").name == "bias/Adam_2:0"
    assert second._get_beta_accumulators()[0].name == "beta1_power_1:0"
    named = tf.train.AdamOptimizer(name="Adam2")
    named.minimize(tf.reduce_sum(bias))
    assert [named.get_slot(bias, s).name for s in ("m", "v")] == ["bias/Adam2:0", "bias/Adam2_1:0"]


@pytest.mark.parametrize("make, names", [
    (lambda: tf.train.RMSPropOptimizer(0.1), {"rms": "w/RMSProp", "momentum": "w/RMSProp_1"}),
    (lambda: tf.train.RMSPropOptimizer(0.1, centered=True),
     {"rms": "w/RMSProp", "mg": "w/RMSProp_1", "momentum": "w/RMSProp_2"}),
    (lambda: tf.train.AdadeltaOptimizer(), {"accum": "w/Adadelta", "accum_update": "w/Adadelta_1"}),
    (lambda: tf.train.FtrlOptimizer(0.1), {"accum": "w/Ftrl", "linear": "w/Ftrl_1"}),
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), {"momentum": "w/Momentum"}),
    (lambda: tf.train.AdagradOptimizer(0.1), {"accumulator": "w/Adagrad"}),
    (lambda: tf.train.GradientDescentOptimizer(0.1), {}),
    (lambda: tf.train.ProximalGradientDescentOptimizer(0.1), {}),
])
def test_slot_naming_per_optimizer(make, names):
    w = tf.Variable([1.0, 2.0], name="w")
    opt = make()
    opt.minimize(tf.reduce_sum(w))
    assert {s: opt.get_slot(w, s).op.name for s in opt.get_slot_names()} == names
    assert opt.get_slot_names() == sorted(names)


@pytest.mark.parametrize("make, initial", [
    (lambda: tf.train.MomentumOptimizer(0.1, 0.9), {"momentum": 0.0}),
    (lambda: tf.train.AdamOptimizer(), {"m": 0.0, "v": 0.0}),
    (lambda: tf.train.AdagradOptimizer(0.1), {"accumulator": 0.1}),
    (lambda: tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.5),
     {"accumulator": 0.5}),
    (lambda: tf.train.AdadeltaOptimizer(), {"accum": 0.0, "accum_update": 0.0}),
    (lambda: tf.train.RMSPropOptimizer(0.1, centered=True),
     {"rms": 1.0, "momentum": 0.0, "mg": 0.0}),
    (lambda: tf.train.FtrlOptimizer(0.1), {"accum": 0.1, "linear": 0.0}),
])
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_slot_properties_and_initial_values(sess, make, initial, dtype):
    w = tf.Variable(np.ones([2, 3], dtype.as_numpy_dtype), name="w")
    opt = make()
    opt.minimize(tf.reduce_sum(w))
    sess.run(tf.global_variables_initializer())
    assert opt.get_slot_names() == sorted(initial)
    for name, value in initial.items():
        slot = opt.get_slot(w, name)
        assert slot.shape.as_list() == [2, 3] and slot.dtype.base_dtype == dtype
        assert not slot.trainable
        assert slot in tf.global_variables() and slot not in tf.trainable_variables()
        got = sess.run(slot.initial_value)
        assert got.dtype == dtype.as_numpy_dtype
        np.testing.assert_array_equal(got, np.full([2, 3], value, dtype.as_numpy_dtype))


def test_slot_names_ignore_the_callers_name_scope_and_no_slot_without_gradient():
    w = tf.Variable([1.0], name="w")
    b = tf.Variable([1.0], name="b")
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    with tf.name_scope("outer"):
        op = opt.apply_gradients([([1.0], w), (None, b)])
    assert opt.get_slot(w, "momentum").name == "w/Momentum:0"
    assert opt.get_slot(b, "momentum") is None
    assert op.name == "outer/Momentum"


def test_initializer_created_before_minimize_leaves_slots_uninitialized(sess):
    w = tf.Variable([1.0], name="w")
    init = tf.global_variables_initializer()
    op = tf.train.AdamOptimizer().minimize(tf.reduce_sum(w))
    sess.run(init)
    with pytest.raises(tf.errors.FailedPreconditionError, match="uninitialized"):
        sess.run(op)
    np.testing.assert_array_equal(sess.run(w), [1.0])  # the failed run changed nothing


# -- 5.2: compute_gradients ------------------------------------------------------------------
def test_compute_gradients_pairs_flattening_and_grad_loss(sess):
    a = tf.Variable(2.0, name="a")
    b = tf.Variable(5.0, name="b")
    z = tf.Variable(1.0, trainable=False, name="z")
    opt = tf.train.GradientDescentOptimizer(0.1)
    pairs = opt.compute_gradients(a * 3.0)
    assert [v for _, v in pairs] == [a, b] and pairs[1][0] is None
    pairs = opt.compute_gradients(z * a, var_list=[[a], [z]], grad_loss=3.0)
    assert [v for _, v in pairs] == [a, z]
    sess.run(tf.global_variables_initializer())
    assert sess.run([g for g, _ in pairs]) == [3.0, 6.0]


def test_compute_gradients_errors():
    a = tf.Variable(2.0, name="a")
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="No variables to optimize"):
        opt.compute_gradients(a * 2.0, var_list=[])
    with pytest.raises(ValueError, match="GATE_NONE.*GATE_OP.*GATE_GRAPH.*5"):
        opt.compute_gradients(a * 2.0, gate_gradients=5)
    with pytest.raises(ValueError, match="Invalid type int32 for"):
        opt.compute_gradients(tf.constant(1) * 2)
    n = tf.Variable(1, name="n")  # no gradient reaches an int variable: no dtype error
    assert opt.compute_gradients(tf.cast(n, tf.float32) * a, var_list=[n]) == [(None, n)]
    with pytest.raises(NotImplementedError, match="unsupported type"):
        opt.compute_gradients(a * 2.0, var_list=["a"])
    for gate in (tf.train.Optimizer.GATE_NONE, tf.train.Optimizer.GATE_GRAPH):
        assert opt.compute_gradients(a * 2.0, gate_gradients=gate)[0][1] is a


def test_constructor_and_apply_errors():
    with pytest.raises(ValueError, match="name"):
        tf.train.Optimizer(False, "")
    assert tf.train.GradientDescentOptimizer(0.1).get_name() == "GradientDescent"
    with pytest.raises(ValueError, match="positive"):
        tf.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
    for kwargs in ({"initial_accumulator_value": -0.1}, {"learning_rate_power": 0.5},
                   {"l1_regularization_strength": -1.0}, {"l2_regularization_strength": -1.0},
                   {"l2_shrinkage_regularization_strength": -1.0}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            tf.train.FtrlOptimizer(0.1, **kwargs)
    v = tf.Variable([1.0, 2.0], name="v")
    opt = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(TypeError, match="Gradient must be convertible"):
        opt.apply_gradients([(object(), v)])
    with pytest.raises(TypeError, match="float64.*float32"):
        opt.apply_gradients([(tf.constant([1.0, 1.0], tf.float64), v)])
    with pytest.raises(ValueError, match=r"\[2\].*\[3\]"):
        opt.apply_gradients([([1.0, 1.0, 1.0], v)])
    with pytest.raises(NotImplementedError, match="not a tf.Variable"):
        opt.apply_gradients([([1.0], tf.constant([1.0]))])


# -- the fused ops themselves --------------------------------------------------------------
def test_fused_ops_raw_use_scalar_variable_and_no_gradient(sess):
    v = tf.Variable(1.0, name="v")
    out = training_ops.apply_gradient_descent(v, 0.5, 1.0)
    assert out.op.type == "ApplyGradientDescent" and out.dtype == tf.float32
    alpha = tf.constant(0.5)
    out2 = training_ops.apply_gradient_descent(v, alpha, 1.0)
    assert tf.gradients(out2, [alpha]) == [None]
    sess.run(v.initializer)
    got = sess.run(out)
    assert got == 0.5 and sess.run(v) == 0.5
    with pytest.raises(ValueError, match="rank 0"):
        training_ops.apply_gradient_descent(v, [0.5, 0.5], 1.0)
    with pytest.raises(TypeError, match="'delta'.*float64.*float32"):
        training_ops.apply_gradient_descent(v, 0.5, tf.constant(1.0, tf.float64))


def test_adam_on_a_fortran_ordered_variable_matches_a_c_ordered_one():
    # A variable assigned from a transposed value is stored in Fortran order; the fused Adam
    # kernel works on flat chunks and must not scramble its elements.
    value = np.arange(6, dtype=np.float32).reshape(3, 2).T * 0.1 + 1.0
    results = []
    for order_source in (np.asfortranarray(value), np.ascontiguousarray(value)):
        tf.reset_default_graph()
        v = tf.Variable(np.zeros((2, 3), np.float32))
        load = tf.assign(v, tf.constant(order_source))
        grad = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3) * 0.01)
        train = tf.train.AdamOptimizer(0.1).apply_gradients([(grad, v)])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(load)
            for _ in range(3):
                sess.run(train)
            results.append(sess.run(v))
        assert order_source.flags.f_contiguous == (len(results) == 1)
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.array_equal(results[0], value)
