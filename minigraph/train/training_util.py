"""Global-step helpers: create, find and check the graph's `global_step` variable.

Lives here: create_global_step, get_global_step, get_or_create_global_step, global_step and
assert_global_step. The increment itself
is built by Optimizer.apply_gradients; schedules only read the step.
"""

from __future__ import annotations

import logging

from ..framework import dtypes as _dtypes
from ..framework.graph import Graph, GraphKeys, get_default_graph
from ..framework.tensor import Tensor
from ..ops.init_ops import zeros_initializer
from ..ops.variables import Variable, get_variable

__all__ = ["create_global_step", "get_global_step", "get_or_create_global_step",
           "global_step", "assert_global_step"]

_NAME = "global_step"


def create_global_step(graph: Graph | None = None) -> Variable:
    """Create the int64 scalar `global_step` variable (non-trainable, starts at 0).

    The name scope is cleared but the variable scope is kept: inside
    `variable_scope("foo")` the step is `foo/global_step`.
    Raises ValueError if the graph already has a global step.
    Example: `gs = tf.train.create_global_step()` -> `<tf.Variable 'global_step:0' ...>`.
    """
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists. Fix: use '
                         "tf.train.get_or_create_global_step() to reuse it.")
    with graph.as_default(), graph.name_scope(""):
        return get_variable(_NAME, shape=[], dtype=_dtypes.int64,
                            initializer=zeros_initializer(), trainable=False,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_global_step(graph: Graph | None = None):
    """Return the global step: the one GLOBAL_STEP entry, else the variable named
    `global_step`, else None.

    TF1 note: when found by name, minigraph returns the Variable object where one exists
    (TF returns the variable's `global_step:0` tensor); both work with minimize and run.
    Example: `tf.train.get_global_step()` -> None in a fresh graph.
    """
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) > 1:
        logging.getLogger("minigraph").error(
            "Multiple tensors in global_step collection: %s. Keep one.", found)
        return None
    if found:
        step = found[0]
    else:
        try:
            step = graph.get_tensor_by_name(_NAME + ":0")
        except KeyError:
            return None
        variables = (graph.get_collection(GraphKeys.GLOBAL_VARIABLES)
                     + graph.get_collection(GraphKeys.LOCAL_VARIABLES))
        step = next((v for v in variables if v.name == step.name), step)
    assert_global_step(step)
    return step


def get_or_create_global_step(graph: Graph | None = None):
    """Return the existing global step, or create one.  Example: two calls -> same object."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    return step if step is not None else create_global_step(graph)


def global_step(sess, global_step_tensor) -> int:
    """The step's current value in `sess` as a Python int.

    Example: `tf.train.global_step(sess, gs)` -> 0 right after initialization.
    """
    return int(sess.run(global_step_tensor))


def assert_global_step(global_step_tensor) -> None:
    """Raise TypeError unless the argument is an integer scalar Variable or Tensor."""
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError(f'Existing "global_step" must be a Variable or Tensor: '
                        f"{global_step_tensor!r}.")
    dtype = global_step_tensor.dtype.base_dtype
    if not dtype.is_integer:
        raise TypeError(f'Existing "global_step" does not have integer type: {dtype.name}. '
                        "Fix: create it with tf.train.create_global_step() (int64).")
    shape = global_step_tensor.get_shape()
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError(f'Existing "global_step" is not scalar: {shape}. Fix: a global step '
                        "has shape [].")
