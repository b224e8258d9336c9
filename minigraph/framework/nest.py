"""Flattening of nested Python structures (lists, tuples, namedtuples, dicts).

Shared by every API that accepts "a tensor or any nesting of them": tf.group, optimizers'
var_list, the Saver's var_list, and tf.cond's branch results (which are also rebuilt).
"""

from __future__ import annotations

__all__ = ["flatten", "pack_sequence_as", "same_structure"]


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


def _is_sequence(item) -> bool:
    return isinstance(item, (dict, list, tuple))


def _children(item) -> list:
    if isinstance(item, dict):
        return [item[k] for k in sorted(item)]
    return list(item)


def _rebuild(like, items):
    if isinstance(like, dict):
        return type(like)(zip(sorted(like), items))
    if isinstance(like, tuple) and hasattr(like, "_fields"):  # namedtuple
        return type(like)(*items)
    return type(like)(items)


def pack_sequence_as(structure, flat):
    """Return `structure` with its leaves replaced, in order, by the items of `flat`.

    The inverse of `flatten`. Example: `pack_sequence_as([a, (b,)], [1, 2])` -> [1, (2,)].
    """
    flat = list(flat)
    count = len(flatten(structure))
    if count != len(flat):
        raise ValueError(f"The structure has {count} leaves but {len(flat)} values were given.")
    position = 0

    def pack(item):
        nonlocal position
        if not _is_sequence(item):
            position += 1
            return flat[position - 1]
        return _rebuild(item, [pack(child) for child in _children(item)])

    return pack(structure)


def same_structure(first, second) -> str | None:
    """None if the two structures nest alike (same sequence types, lengths and dict keys),
    else a sentence saying where they first differ.
    """
    stack = [(first, second)]
    while stack:
        a, b = stack.pop()
        if _is_sequence(a) != _is_sequence(b):
            seq, leaf = (a, b) if _is_sequence(a) else (b, a)
            return f"Substructure {seq!r} is a sequence, while {leaf!r} is not"
        if not _is_sequence(a):
            continue
        kind_a = "dict" if isinstance(a, dict) else type(a).__name__
        kind_b = "dict" if isinstance(b, dict) else type(b).__name__
        if kind_a != kind_b:
            return f"type={kind_a} of {a!r} is not the same as type={kind_b} of {b!r}"
        if isinstance(a, dict) and sorted(a) != sorted(b):
            return f"The two dictionaries don't have the same set of keys: {sorted(a)} vs " \
                f"{sorted(b)}"
        if len(a) != len(b):
            return f"{a!r} has length {len(a)}, while {b!r} has length {len(b)}"
        stack.extend(zip(_children(a), _children(b)))
    return None
