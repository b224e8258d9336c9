"""TF1 compatibility namespaces: tf.math, tf.random, tf.initializers (re-exports),
tf.ConfigProto and friends (accepted and ignored), tf.logging (on the stdlib logging module)."""

import logging

import numpy as np
import pytest

import minigraph as tf
from minigraph.api import logging as tf_logging


# -- tf.math ------------------------------------------------------------------------------
def test_math_names_are_the_top_level_or_nn_functions():
    for name in tf.math.__all__:
        same = getattr(tf, name, None) or getattr(tf.nn, name)
        assert getattr(tf.math, name) is same, name


def test_math_functions_compute(sess):
    x = tf.constant([[1.0, 4.0], [9.0, 16.0]])
    total, root, biggest = sess.run([tf.math.reduce_sum(x, axis=1), tf.math.sqrt(x),
                                     tf.math.argmax(x, 1)])
    assert total.tolist() == [5.0, 25.0]
    assert root.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert biggest.tolist() == [1, 1]
    assert tf.math.abs is tf.abs and tf.math.pow is tf.pow and tf.math.round is tf.round


# -- tf.random ----------------------------------------------------------------------------
def test_random_names_are_the_tf1_ops():
    assert tf.random.normal is tf.random_normal and tf.random.uniform is tf.random_uniform
    assert tf.random.truncated_normal is tf.truncated_normal
    assert tf.random.shuffle is tf.random_shuffle
    assert tf.random.set_random_seed is tf.set_random_seed and tf.random.get_seed is tf.get_seed


def test_random_ops_follow_the_graph_seed(sess):
    tf.random.set_random_seed(5)
    u = tf.random.uniform([1000], minval=-2.0, maxval=3.0)
    n = tf.random.normal([2000], mean=1.0, stddev=0.5)
    first_u, first_n = sess.run([u, n])
    assert first_u.min() >= -2.0 and first_u.max() < 3.0
    assert abs(first_n.mean() - 1.0) < 0.05 and abs(first_n.std() - 0.5) < 0.05
    with tf.Session() as again:
        np.testing.assert_array_equal(again.run(u), first_u)


# -- tf.initializers ----------------------------------------------------------------------
def test_initializers_are_aliases_of_the_tf1_initializers():
    pairs = {"zeros": tf.zeros_initializer, "ones": tf.ones_initializer,
             "constant": tf.constant_initializer, "random_normal": tf.random_normal_initializer,
             "random_uniform": tf.random_uniform_initializer,
             "truncated_normal": tf.truncated_normal_initializer,
             "variance_scaling": tf.variance_scaling_initializer,
             "glorot_uniform": tf.glorot_uniform_initializer,
             "glorot_normal": tf.glorot_normal_initializer,
             "global_variables": tf.global_variables_initializer,
             "local_variables": tf.local_variables_initializer,
             "variables": tf.variables_initializer}
    assert sorted(pairs) == sorted(tf.initializers.__all__)
    for name, same in pairs.items():
        assert getattr(tf.initializers, name) is same, name


def test_initializers_work_with_get_variable(sess):
    w = tf.get_variable("w", [2, 3], initializer=tf.initializers.constant(1.5))
    b = tf.get_variable("b", [3], initializer=tf.initializers.zeros())
    sess.run(tf.initializers.global_variables())
    assert sess.run(w).tolist() == [[1.5] * 3] * 2 and sess.run(b).tolist() == [0.0] * 3


# -- ConfigProto and friends --------------------------------------------------------------
def test_config_proto_fields_and_nested_messages():
    config = tf.ConfigProto(allow_soft_placement=True, log_device_placement=False,
                            device_count={"GPU": 0}, inter_op_parallelism_threads=2)
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.4
    assert config.allow_soft_placement is True and config.device_count == {"GPU": 0}
    assert config.gpu_options.allow_growth is True
    # Defaults are per instance: another config is untouched.
    assert tf.ConfigProto().gpu_options.allow_growth is False
    other = tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True,
                                                     per_process_gpu_memory_fraction=0.4))
    assert other.gpu_options == config.gpu_options
    copy = tf.ConfigProto()
    copy.CopyFrom(config)
    assert copy == config and copy.gpu_options is not config.gpu_options
    assert copy.HasField("gpu_options") and not tf.ConfigProto().HasField("gpu_options")


def test_config_proto_refuses_unknown_fields():
    with pytest.raises(AttributeError, match="ConfigProto has no field 'allow_growth'"):
        tf.ConfigProto(allow_growth=True)
    options = tf.GPUOptions()
    with pytest.raises(AttributeError, match="GPUOptions has no field 'alow_growth'"):
        options.alow_growth = True


def test_optimizer_and_graph_options():
    options = tf.GraphOptions(optimizer_options=tf.OptimizerOptions(
        opt_level=tf.OptimizerOptions.L0, global_jit_level=tf.OptimizerOptions.ON_1))
    assert options.optimizer_options.opt_level == -1
    assert options.optimizer_options.global_jit_level == 1
    assert tf.ConfigProto().graph_options.optimizer_options.opt_level == 0


def test_session_accepts_config_options_and_run_metadata():
    config = tf.ConfigProto(gpu_options=tf.GPUOptions(allow_growth=True))
    y = tf.constant(2.0) * 3.0
    options = tf.RunOptions(trace_level=tf.RunOptions.FULL_TRACE)
    metadata = tf.RunMetadata()
    with tf.Session(config=config) as sess:
        assert sess.run(y, options=options, run_metadata=metadata) == 6.0
    assert tf.RunOptions.FULL_TRACE == 3 and tf.RunOptions.NO_TRACE == 0
    assert metadata.partition_graphs == [] and metadata.step_stats.dev_stats == []
    assert "trace_level=3" in repr(options)


# -- tf.logging ---------------------------------------------------------------------------
@pytest.fixture
def restore_verbosity():
    logger = tf_logging.get_logger()
    level = logger.level
    yield
    logger.setLevel(level)


def test_logging_levels_are_the_stdlib_levels():
    assert (tf.logging.DEBUG, tf.logging.INFO, tf.logging.WARN, tf.logging.ERROR,
            tf.logging.FATAL) == (10, 20, 30, 40, 50)


def test_logging_default_verbosity_hides_info(caplog, restore_verbosity):
    tf_logging.get_logger().setLevel(logging.NOTSET)   # as on first import
    assert tf.logging.get_verbosity() == tf.logging.WARN
    with caplog.at_level(logging.DEBUG, logger="some.other.logger"):
        tf.logging.info("hidden %d", 1)
        tf.logging.warning("shown %d", 2)
    messages = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    assert messages == [("minigraph", logging.WARN, "shown 2")]


def test_logging_set_verbosity_shows_info_and_formats_args(caplog, restore_verbosity):
    tf.logging.set_verbosity(tf.logging.INFO)
    assert tf.logging.get_verbosity() == tf.logging.INFO
    tf.logging.info("loss = %.2f at step %d", 0.125, 7)
    tf.logging.debug("not shown")
    tf.logging.log_if(tf.logging.ERROR, "only when true", False)
    tf.logging.log_if(tf.logging.ERROR, "condition %s", True, "held")
    tf.logging.vlog(tf.logging.WARN, "verbose")
    tf.logging.error("bad")
    tf.logging.fatal("worse")
    tf.logging.warn("old spelling")
    tf.logging.flush()
    got = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "minigraph"]
    assert got == [("INFO", "loss = 0.12 at step 7"), ("ERROR", "condition held"),
                   ("WARNING", "verbose"), ("ERROR", "bad"), ("CRITICAL", "worse"),
                   ("WARNING", "old spelling")]
