"""Flattening of nested Python structures (lists, tuples, namedtuples, dicts).

Shared by every API that accepts "a tensor or any nesting of them": tf.group, optimizers'
var_list, the Saver's var_list.
"""

from __future__ import annotations

__all__ = ["flatten"]


def flatten(structure) -> list:
    """Return the leaves of `structure` in order; dict values come in sorted-key order.

    Iterative, so deeply nested input cannot hit Python's recursion limit.
    Example: `flatten([a, (b, [c]), {"y": e, "x": d}])` -> [a, b, c, d, e].
    """
    out, stack = [], [structure]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item[k] for k in reversed(sorted(item)))
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out
