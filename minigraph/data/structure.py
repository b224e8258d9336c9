"""Element structures of tf.data: nested tuples and dicts of (dtype, shape) leaves.

Lives here: `TensorSpec`, flattening and packing of dataset elements (tuples, namedtuples
and dicts nest; a Python list is one tensor, as in tf.data), conversion of Python values to
element components, and the shape and type checks shared by datasets and iterators.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.shapes import TensorShape, as_shape
from ..framework.tensor import Tensor
from ..ops.constant_op import convert_to_tensor

__all__ = ["HasElementSpec", "TensorSpec", "flatten", "pack", "specs_of", "types_of", "shapes_of",
           "normalize_types", "as_component"]


class TensorSpec:
    """The dtype and static shape of one component of a dataset element.

    Example: `tf.data.Dataset.range(3).element_spec` -> TensorSpec(shape=(), dtype=tf.int64).
    """

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype=_dtypes.float32, name=None):
        self.shape = as_shape(shape)
        self.dtype = _dtypes.as_dtype(dtype)
        self.name = name

    def is_compatible_with(self, other: "TensorSpec") -> bool:
        return self.dtype == other.dtype and self.shape.is_compatible_with(other.shape)

    def __eq__(self, other):
        if not isinstance(other, TensorSpec) or self.dtype != other.dtype:
            return False
        if self.shape.ndims is None or other.shape.ndims is None:
            return self.shape.ndims == other.shape.ndims
        return self.shape.as_list() == other.shape.as_list()

    __hash__ = object.__hash__

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype=tf.{self.dtype.name}, name={self.name!r})"


def _is_nest(value) -> bool:
    return isinstance(value, (tuple, dict))


def flatten(structure) -> list:
    """The leaves of an element structure: tuples and dicts nest (dict keys sorted); lists
    and everything else are leaves.  Example: `flatten((a, {"y": c, "x": b}))` -> [a, b, c]."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def pack(structure, flat):
    """`structure` (tuples/dicts of leaves) with its leaves replaced by the items of `flat`."""
    flat = list(flat)
    if len(flat) != len(flatten(structure)):
        raise ValueError(f"The structure {structure!r} has {len(flatten(structure))} leaves "
                         f"but {len(flat)} values were given.")
    items = iter(flat)

    def build(item):
        if isinstance(item, dict):
            built = {k: build(item[k]) for k in sorted(item)}
            return type(item)((k, built[k]) for k in item)
        if isinstance(item, tuple):
            parts = [build(x) for x in item]
            return type(item)(*parts) if hasattr(item, "_fields") else type(item)(parts)
        return next(items)

    return build(structure)


def map_leaves(fn, structure):
    """The same structure with every leaf replaced by fn(leaf)."""
    return pack(structure, [fn(leaf) for leaf in flatten(structure)])


def specs_of(tensors) -> object:
    """The TensorSpec structure of a structure of tensors."""
    return map_leaves(lambda t: TensorSpec(t.shape, t.dtype.base_dtype), tensors)


def types_of(specs):
    return map_leaves(lambda s: s.dtype, specs)


def shapes_of(specs):
    return map_leaves(lambda s: s.shape, specs)


def normalize_types(output_types, output_shapes=None):
    """Build a TensorSpec structure from TF1's (output_types, output_shapes) pair."""
    flat_types = [_dtypes.as_dtype(t) for t in flatten(output_types)]
    if output_shapes is None:
        flat_shapes = [TensorShape(None)] * len(flat_types)
    else:
        flat_shapes = _flat_shapes(output_types, output_shapes)
    if len(flat_shapes) != len(flat_types):
        raise ValueError(f"output_shapes {output_shapes!r} does not match the structure of "
                         f"output_types {output_types!r}. Fix: give one shape per type, "
                         "nested the same way.")
    return pack(output_types, [TensorSpec(s, t) for s, t in zip(flat_shapes, flat_types)])


def _flat_shapes(types, shapes) -> list:
    """Flatten `shapes` up to the structure of `types` (a shape given as a list is a leaf)."""
    if isinstance(types, dict):
        return [s for k in sorted(types) for s in _flat_shapes(types[k], shapes[k])]
    if isinstance(types, tuple):
        if len(types) != len(shapes):
            raise ValueError(f"output_shapes {shapes!r} has {len(shapes)} entries for "
                             f"{len(types)} output types. Fix: give one shape per type.")
        return [s for t, sh in zip(types, shapes) for s in _flat_shapes(t, sh)]
    return [as_shape(shapes)]


def to_tensors(structure, name="component"):
    """Convert every leaf of an element structure to a Tensor (lists become one tensor)."""
    if isinstance(structure, list) or not _is_nest(structure):
        return convert_to_tensor(structure, name=name)
    flat = [convert_to_tensor(v, name=f"{name}_{i}") for i, v in enumerate(flatten(structure))]
    return pack(structure, flat)


def as_component(value, spec: TensorSpec, what: str) -> np.ndarray:
    """`value` as an array of `spec`'s dtype and shape; raise TypeError/ValueError if not."""
    target = spec.dtype.as_numpy_dtype
    array = np.asarray(value)
    if spec.dtype == _dtypes.string:
        array = np.asarray(value, dtype=object)
    elif spec.dtype.is_integer and array.dtype.kind == "f" or \
            spec.dtype.is_bool and array.dtype.kind != "b" or array.dtype.kind in "OSU":
        raise TypeError(f"`{what}` yielded an element that could not be converted to the "
                        f"expected type. The expected type was {spec.dtype.name}, but the "
                        f"yielded element was {value!r}.")
    else:
        array = array.astype(target, copy=False)
    if not spec.shape.is_compatible_with(array.shape):
        raise ValueError(f"`{what}` yielded an element of shape {array.shape} where an "
                         f"element of shape {tuple(spec.shape.as_list())} was expected.")
    return array


class HasElementSpec:
    """The TF1 structure properties of anything holding `_spec` (datasets, iterators)."""

    _spec: object

    @property
    def element_spec(self):
        """The TensorSpec structure of one element."""
        return self._spec

    @property
    def output_types(self):
        return types_of(self._spec)

    @property
    def output_shapes(self):
        return shapes_of(self._spec)

    @property
    def output_classes(self):
        return map_leaves(lambda s: Tensor, self._spec)
