"""Constants, placeholders, and the conversion of Python/numpy values into tensors.

Lives here: `Const`, `Placeholder`, `PlaceholderWithDefault`, `constant`, `placeholder`,
`placeholder_with_default`, `convert_to_tensor` (a list holding tensors is stacked, anything
else becomes a Const) and `convert_pair` (a Python operand takes the tensor operand's
dtype). The dtype inference rules themselves live in framework/dtypes.py.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError, describe_caller, describe_site
from ..framework.indexed_slices import IndexedSlices, to_dense
from ..framework.tensor import OPERATORS, Operation, Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape, as_shape

__all__ = ["constant", "convert_to_tensor", "placeholder", "placeholder_with_default",
           "convert_to_tensor_or_indexed_slices", "get_static_value"]


def to_numpy(value, dtype: _dtypes.DType | None = None) -> np.ndarray:
    """Convert a Python/numpy value to an array of `dtype` (inferred when None), TF's way."""
    if value is None:
        raise ValueError("None values not supported. Pass a number, a list or a numpy array "
                         "(a missing feed or an uninitialised Python variable is the usual "
                         "cause).")
    inferred = _dtypes.infer_dtype(value)
    if dtype is None:
        dtype = inferred
    dtype = dtype.base_dtype
    if dtype == _dtypes.string:
        arr = np.array(value, dtype=object)
        return np.vectorize(lambda s: s.encode() if isinstance(s, str) else s,
                            otypes=[object])(arr) if arr.size else arr
    if inferred == _dtypes.string:
        raise TypeError(f"Expected {dtype.name}, but got {value!r} of type "
                        f"'{type(value).__name__}'. Fix: pass a number, or convert the string "
                        f"with float(...) first; at {describe_caller()}.")
    # An empty list infers float32 but holds no value that could be lost: `[]` as int32 is fine.
    lossy = np.size(value) > 0 if isinstance(value, (list, tuple)) else True
    if lossy and ((dtype.is_integer or dtype.is_bool) and (inferred.is_floating
                                                          or inferred.is_complex)
                  or dtype.is_bool and not inferred.is_bool
                  or dtype.is_floating and inferred.is_complex):
        shown = value if np.ndim(value) == 0 else "a list or array"
        raise TypeError(f"Expected {dtype.name}, but got {shown!r} of type "
                        f"'{type(value).__name__}' (dtype {inferred.name}). Cast it with "
                        "tf.cast or pass a value of the right kind (Fix: e.g. 1 instead of "
                        f"1.5 for an integer tensor); at {describe_caller()}.")
    raw = np.asarray(value)
    if raw.dtype == object:
        raise TypeError(f"Failed to convert elements of {value!r} to Tensor: the elements are "
                        "not all numbers.")
    return raw.astype(dtype.as_numpy_dtype, copy=False)


@register_op("Const")
class Const(OpDef):
    """A constant tensor; its value lives in the `value` attribute."""

    @staticmethod
    def infer(*, value, dtype):
        return Spec(dtype, value.shape, value)

    @staticmethod
    def compute(*, value, dtype):
        return value

    gradient = staticmethod(lambda op, grad: [])


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False) -> Tensor:
    """Create a constant tensor from a Python or numpy value.

    Example: `tf.constant([1, 2], shape=[2, 2])` -> [[1, 2], [2, 2]] (last element repeats).
    """
    if isinstance(value, Tensor) or hasattr(value, "_as_graph_element"):
        raise TypeError("Expected any non-tensor type, but got a tensor instead. Fix: use "
                        "tf.identity(t) or tf.cast(t, dtype) to copy or convert a tensor; "
                        f"got {value!r} at {describe_caller()}.")
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
    arr = to_numpy(value, dtype)
    if shape is not None:
        arr = _fit_to_shape(arr, as_shape(shape).as_list(), verify_shape)
    arr = np.array(arr)  # own the buffer
    arr.flags.writeable = False
    return Const.apply([], name=name, value=arr, dtype=_dtypes.as_dtype(arr.dtype)
                       if dtype is None else dtype.base_dtype)


def _fit_to_shape(arr, shape, verify_shape):
    if verify_shape and list(arr.shape) != shape:
        raise TypeError(f"Expected Tensor's shape: {tuple(shape)}, but got {arr.shape}.")
    size = int(np.prod(shape, dtype=np.int64))
    if arr.size == size:
        return arr.reshape(shape)
    if arr.size == 1:
        return np.broadcast_to(arr.reshape(()), shape)
    if arr.size > size:
        raise ValueError(f"Too many elements provided. Takes at most {size}, but got "
                         f"{arr.size}.")
    flat = arr.reshape(-1)
    if flat.size == 0:
        raise ValueError(f"Cannot fill shape {shape} from an empty value.")
    padded = np.concatenate([flat, np.repeat(flat[-1:], size - flat.size)])
    return padded.reshape(shape)


def convert_to_tensor(value, dtype=None, name=None, preferred_dtype=None, dtype_hint=None,
                      as_ref=False) -> Tensor:
    """Return `value` as a Tensor: tensors pass through, Variables give their value tensor,
    lists holding tensors are stacked, anything else becomes a constant.

    Example: `tf.convert_to_tensor([1.0, 2.0])` -> a float32 Const of shape (2,).
    """
    dtype = _dtypes.as_dtype(dtype) if dtype is not None else None
    if isinstance(value, IndexedSlices):  # sums the rows into a dense tensor
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise ValueError(f"Incompatible tensor conversion requested to `dtype` "
                             f"{dtype.name} for IndexedSlices ({value}) with dtype "
                             f"{value.dtype.name}.")
        return to_dense(value)
    if isinstance(value, Tensor):
        if dtype is not None and not dtype.is_compatible_with(value.dtype):
            raise ValueError(f"Tensor conversion requested dtype {dtype.name} for Tensor with "
                             f"dtype {value.dtype.base_dtype.name}: {value!r}. Use "
                             f"tf.cast(t, tf.{dtype.name}) to convert explicitly.")
        return value
    if hasattr(value, "_as_graph_element"):
        t = value._ref() if as_ref and hasattr(value, "_ref") else value.value()
        return convert_to_tensor(t, dtype=dtype)
    if isinstance(value, Operation):
        raise TypeError(f"Can't convert Operation '{value.name}' to Tensor: an Operation has no "
                        "value. Pass one of its outputs (op.outputs[0]) instead.")
    if isinstance(value, (list, tuple)) and _contains_graph_value(value):
        stack = OPERATORS["pack"]  # array_ops.stack, filled in by array_ops (a layer above)
        return stack([convert_to_tensor(v, dtype=dtype) if not isinstance(v, (list, tuple))
                      else convert_to_tensor(v, dtype=dtype) for v in value],
                     name=name or "packed")
    hint = preferred_dtype or dtype_hint
    if dtype is None and hint is not None:
        try:
            return constant(value, _dtypes.as_dtype(hint), name=name or "Const")
        except (TypeError, ValueError):
            pass
    return constant(value, dtype, name=name or "Const")


convert_to_tensor_or_indexed_slices = convert_to_tensor
OPERATORS["convert_to_tensor"] = convert_to_tensor  # OpDef.apply converts operands with it


def is_graph_value(value) -> bool:
    """True for Tensors and Variables (anything `convert_to_tensor` passes through)."""
    return isinstance(value, Tensor) or hasattr(value, "_as_graph_element")


def convert_pair(x, y, names=("x", "y")):
    """Convert two operands; a Python operand takes the tensor operand's dtype if it can."""
    if not is_graph_value(x) and is_graph_value(y):
        y = convert_to_tensor(y, name=names[1])
        return convert_to_tensor(x, preferred_dtype=y.dtype.base_dtype, name=names[0]), y
    x = convert_to_tensor(x, name=names[0])
    return x, convert_to_tensor(y, preferred_dtype=x.dtype.base_dtype, name=names[1])


def _contains_graph_value(seq) -> bool:
    stack = [seq]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, Tensor) or hasattr(item, "_as_graph_element"):
            return True
    return False


@register_op("Placeholder")
class Placeholder(OpDef):
    """A value supplied by `feed_dict` at run time; running it unfed is an error."""

    uses_context = True
    stateful = True

    @staticmethod
    def infer(*, dtype, shape):
        return Spec(dtype, shape)

    @staticmethod
    def compute(ctx, op, *, dtype, shape):
        shape_text = ""
        if shape.ndims:  # TF omits the shape for unknown rank and for scalars
            shape_text = " and shape " + shape._bracket()
        raise InvalidArgumentError(
            None, op, f"You must feed a value for placeholder tensor '{op.name}' with dtype "
            f"{dtype.c_name}{shape_text}. Fix: pass feed_dict={{{op.name}: value}} to "
            f"Session.run (placeholder created at {describe_site(op.creation_site)}).")

    gradient = staticmethod(lambda op, grad: [])


def placeholder(dtype, shape=None, name=None) -> Tensor:
    """A tensor whose value is fed at run time.

    Example: `x = tf.placeholder(tf.float32, [None, 2])`.
    """
    dtype = _dtypes.as_dtype(dtype)
    return Placeholder.apply([], name=name, dtype=dtype, shape=TensorShape(shape))


@register_op("PlaceholderWithDefault")
class PlaceholderWithDefault(OpDef):
    """Returns its input unless fed; the static shape may be less specific than the input's."""

    inputs = ("input",)
    forwards_input = staticmethod(lambda inputs, output, attrs: 0)

    @staticmethod
    def infer(x, *, shape):
        if not shape.is_compatible_with(x.shape):
            raise ValueError(f"The default value of shape {x.shape} is not compatible with the "
                             f"declared shape {shape}.")
        return Spec(x.dtype, shape)

    @staticmethod
    def compute(x, *, shape):
        return x

    @staticmethod
    def gradient(op, grad):
        return [grad]


def placeholder_with_default(input, shape, name=None) -> Tensor:  # noqa: A002 - TF's name
    """A placeholder that yields `input` when not fed."""
    return PlaceholderWithDefault.apply([input], name=name, shape=TensorShape(shape))


def get_static_value(tensor, partial=False):
    """The value of `tensor` if it is known at build time (constants and what shape inference
    folds from them), else None.  Example: `tf.get_static_value(tf.constant(3))` -> 3.
    """
    if not isinstance(tensor, Tensor):
        tensor = convert_to_tensor(tensor)
    value = tensor._static_value
    return None if value is None else np.array(value)

