"""Control ops: NoOp and group (more control and debugging ops join this family).

Lives here: ops whose job is ordering and checking, not arithmetic.
"""

from __future__ import annotations

from ..graph import Operation, Tensor, get_default_graph, graph_of
from ..registry import OpDef, register_op

__all__ = ["no_op", "group"]


@register_op("NoOp")
class NoOp(OpDef):
    """Does nothing; an anchor for control dependencies."""

    @staticmethod
    def infer():
        return []

    @staticmethod
    def compute():
        return None

    gradient = staticmethod(lambda op: [])


def no_op(name=None) -> Operation:
    """An op that does nothing.  Example: `with tf.control_dependencies([a, b]): tf.no_op()`."""
    return NoOp.apply([], name=name)


def _flatten(items):
    stack, out = [items], []
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


def group(*inputs, **kwargs) -> Operation:
    """An op that runs all of `inputs` (each once per run).  Example: `tf.group(a, b)`."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise ValueError(f"Unknown keyword arguments: {list(kwargs)}. tf.group only takes name=.")
    deps = []
    for x in _flatten(list(inputs)):
        if hasattr(x, "_as_graph_element"):
            x = x._as_graph_element()
        if isinstance(x, Tensor):
            x = x.op
        if not isinstance(x, Operation):
            raise TypeError(f"tf.group expects Tensors or Operations, got {x!r}.")
        if x not in deps:
            deps.append(x)
    graph = graph_of(deps) if deps else get_default_graph()
    with graph.as_default(), graph.control_dependencies(deps):
        return NoOp.apply([], name=name or "group_deps")
