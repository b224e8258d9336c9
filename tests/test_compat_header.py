"""The notebook header: `import minigraph.compat.v1 as tf; tf.disable_v2_behavior()`, the
version strings, the accepted switches, and the AttributeError for TF names minigraph lacks."""

import importlib
import subprocess
import sys
import pathlib

import pytest

import minigraph
import minigraph as tf
from minigraph.framework.missing import REPLACEMENTS
from minigraph.framework.registry import OP_TABLE  # noqa: F401  (ops registered)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_compat_v1_is_the_package_itself():
    v1 = importlib.import_module("minigraph.compat.v1")
    assert v1 is minigraph and tf.compat.v1 is tf
    assert tf.compat.v1.placeholder is tf.placeholder


def test_notebook_header_as_the_first_import_runs_a_graph():
    program = ("import minigraph.compat.v1 as tf\n"
               "tf.disable_v2_behavior()\ntf.disable_eager_execution()\n"
               "tf.enable_resource_variables()\n"
               "x = tf.placeholder(tf.float32, [None])\n"
               "with tf.Session() as s:\n"
               "    print(s.run(x * 2.0, {x: [1.5]}), tf.executing_eagerly())\n")
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT)}, check=True).stdout
    assert out.split() == ["[3.]", "False"]


def test_switches_that_ask_for_tf1_change_nothing():
    for switch in (tf.disable_v2_behavior, tf.disable_eager_execution,
                   tf.enable_resource_variables, tf.disable_resource_variables,
                   tf.disable_v2_tensorshape, tf.disable_control_flow_v2,
                   tf.disable_tensor_equality):
        assert switch() is None
    assert tf.executing_eagerly() is False and tf.resource_variables_enabled() is False


@pytest.mark.parametrize("switch", ["enable_eager_execution", "enable_v2_behavior",
                                    "enable_v2_tensorshape"])
def test_switches_that_ask_for_tf2_raise_a_clear_error(switch):
    with pytest.raises(ValueError, match="Fix: remove the call"):
        getattr(tf, switch)()


def test_version_strings():
    assert tf.__version__ == tf.VERSION == tf.version.VERSION == "0.1.0"
    # What programs comparing against TensorFlow versions see (documented in tf1_compat.md).
    assert not tf.__version__.startswith("1.") and not tf.__version__.startswith("2")
    assert int(tf.__version__.split(".")[0]) < 2


@pytest.mark.parametrize("expression, fragment", [
    ("tf.random.set_seed", "Use tf.set_random_seed instead"),
    ("tf.no_such_name", "minigraph has no tf.no_such_name"),
    ("tf.nn.no_such_op", "minigraph has no tf.nn.no_such_op"),
    ("tf.train.NoSuchOptimizer", "minigraph has no tf.train.NoSuchOptimizer"),
    ("tf.losses.no_such_loss", "minigraph has no tf.losses.no_such_loss"),
    ("tf.layers.no_such_layer", "minigraph has no tf.layers.no_such_layer"),
    ("tf.errors.NoSuchError", "minigraph has no tf.errors.NoSuchError"),
    ("tf.gfile.NoSuchCall", "minigraph has no tf.gfile.NoSuchCall"),
    ("tf.graph_util.no_such_call", "minigraph has no tf.graph_util.no_such_call"),
    ("tf.metrics.no_such_metric", "minigraph has no tf.metrics.no_such_metric"),
    ("tf.compat.v2", "tf.compat.v1 is tf itself"),
    ("tf.compat.v1.GradientTape", "Use tf.gradients(ys, xs) instead"),
])
def test_missing_names_raise_attribute_error_pointing_to_the_docs(expression, fragment):
    with pytest.raises(AttributeError) as info:
        eval(expression, {"tf": tf})
    message = str(info.value)
    assert fragment in message and "docs/tf1_compat.md" in message
    assert "Did you mean" not in message and info.value.name is None


def test_missing_dunder_is_a_plain_attribute_error():
    assert not hasattr(tf, "__wrapped__") and not hasattr(tf.nn, "__path__")


def test_every_replacement_that_names_a_tf_function_exists():
    for target in REPLACEMENTS.values():
        first = target.split()[0].split("(")[0]
        if first.startswith("tf.") and first != "tf.compat.v1":
            obj = tf
            for part in first[3:].split("."):
                obj = getattr(obj, part)


def test_every_namespace_explains_missing_names():
    import types

    seen, stack = set(), [tf]
    while stack:
        module = stack.pop()
        for name in getattr(module, "__all__", []):
            value = getattr(module, name)
            if isinstance(value, types.ModuleType) and id(value) not in seen:
                seen.add(id(value))
                stack.append(value)
                assert "__getattr__" in vars(value), value.__name__
    assert len(seen) >= 18

