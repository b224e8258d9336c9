"""Version strings and the TF2-behaviour switches that TF1 notebooks call first.

Lives here: `__version__` / `VERSION`, `executing_eagerly`, and the switches a notebook written
for `tensorflow.compat.v1` calls in its header (`disable_v2_behavior`, ...). minigraph is always
a TF1 graph engine, so the switches that ask for TF1 behaviour are accepted and change nothing,
and the ones that ask for TF2 behaviour (eager execution) raise a clear error.
"""

from __future__ import annotations

__all__ = ["__version__", "VERSION", "GRAPH_DEF_VERSION", "executing_eagerly",
           "disable_v2_behavior", "enable_v2_behavior", "disable_eager_execution",
           "enable_eager_execution", "enable_resource_variables", "disable_resource_variables",
           "resource_variables_enabled", "disable_v2_tensorshape", "enable_v2_tensorshape",
           "disable_control_flow_v2", "disable_tensor_equality"]

# minigraph's own version. Programs that compare it with TensorFlow's see a version below
# "1." and "2.": `tf.__version__.startswith("2")` is False (so TF2-only branches are skipped)
# and `tf.__version__.startswith("1.")` is False as well (so a program that then calls
# tf.compat.v1.disable_v2_behavior() still works: both paths end in TF1 behaviour).
__version__ = "0.1.0"
VERSION = __version__
GRAPH_DEF_VERSION = 1

EAGER_ERROR = ("minigraph has no eager execution: it is a TF1 graph engine (build a graph, then "
               "run it in a tf.Session). Fix: remove the call and use tf.Session().run(...); "
               "see docs/tf1_compat.md.")


def executing_eagerly() -> bool:
    """Always False: ops build graph nodes and run in a Session, as in TF1 graph mode."""
    return False


def disable_v2_behavior() -> None:
    """Accepted and ignored: minigraph always behaves as TF1 (graph mode, TF1 shapes)."""


def disable_eager_execution() -> None:
    """Accepted and ignored: minigraph never executes eagerly."""


def disable_resource_variables() -> None:
    """Accepted and ignored: minigraph variables are TF1 reference variables."""


def enable_resource_variables() -> None:
    """Accepted and ignored.

    TF1 note: minigraph keeps its TF1 variables. Values are the same; a read placed under
    control dependencies sees the value at the point where it runs, as with ref variables.
    """


def resource_variables_enabled() -> bool:
    """False: minigraph variables behave as TF1 reference variables."""
    return False


def disable_v2_tensorshape() -> None:
    """Accepted and ignored: TensorShape items are TF1 Dimensions (`shape[0].value`)."""


def disable_control_flow_v2() -> None:
    """Accepted and ignored: tf.cond builds TF1-style Switch-free branches with a Merge."""


def disable_tensor_equality() -> None:
    """Accepted and ignored: tensors compare by identity and are hashable, as in TF1."""


def enable_eager_execution(config=None, device_policy=None, execution_mode=None) -> None:
    """Raise: minigraph has no eager mode."""
    raise ValueError("tf.enable_eager_execution(): " + EAGER_ERROR)


def enable_v2_behavior() -> None:
    """Raise: TF2 behaviour (eager execution, resource variables) is not available."""
    raise ValueError("tf.enable_v2_behavior(): " + EAGER_ERROR)


def enable_v2_tensorshape() -> None:
    """Raise: minigraph's TensorShape items are TF1 Dimensions."""
    raise ValueError("tf.enable_v2_tensorshape(): minigraph keeps TF1 shapes, whose items are "
                     "Dimensions (use shape[0].value, or shape.as_list()). Fix: remove the call.")
