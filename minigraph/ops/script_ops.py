"""Python inside the graph: tf.py_func / tf.numpy_function (PyFunc ops), and
tf.custom_gradient (an IdentityN whose gradient is the user's function).

A PyFunc op calls a Python function on numpy arrays when it runs. What it returns must have
the declared dtypes exactly (TF refuses a float64 array for a float32 output); errors raised
inside become TF's classes: ValueError and TypeError InvalidArgumentError, StopIteration
OutOfRangeError, NotImplementedError UnimplementedError, MemoryError ResourceExhaustedError,
anything else UnknownError, each naming the node. PyFunc has no gradient (TF's
NotDifferentiable); give it one with tf.RegisterGradient and gradient_override_map.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework import errors
from ..framework.graph import get_default_graph, name_scope
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, RegisterGradient, no_gradient, register_op
from ..framework.shapes import TensorShape
from .constant_op import convert_to_tensor

__all__ = ["py_func", "numpy_function", "custom_gradient", "identity_n"]

_ERRORS = ((StopIteration, errors.OutOfRangeError), (ValueError, errors.InvalidArgumentError),
           (TypeError, errors.InvalidArgumentError),
           (NotImplementedError, errors.UnimplementedError),
           (MemoryError, errors.ResourceExhaustedError))


def _call(func, token, arrays, output_types):
    try:
        result = func(*arrays)
    except Exception as e:  # noqa: BLE001 - re-raised as the TF error class TF uses
        kind = next((k for py, k in _ERRORS if isinstance(e, py)), errors.UnknownError)
        raise kind(None, None, f"{type(e).__name__}: {e}") from e
    values = list(result) if isinstance(result, (list, tuple)) else [result]  # as TF
    if len(values) != len(output_types):
        raise errors.InvalidArgumentError(None, None, f"{token} returns {len(values)} values, "
                                          f"but expects to see {len(output_types)} values.")
    out = []
    for i, (value, dtype) in enumerate(zip(values, output_types)):
        if dtype == _dtypes.string:
            out.append(np.asarray(value, dtype=object))
            continue
        array = np.asarray(value)
        if array.dtype != dtype.as_numpy_dtype:
            got = _dtypes.as_dtype(array.dtype)
            raise errors.InvalidArgumentError(
                None, None, f"{i}-th value returned by {token} is {_c_name(got)}, but expects "
                f"{_c_name(dtype)}. Fix: return arrays of the declared Tout "
                f"(e.g. x.astype(np.{dtype.name})).")
        out.append(array)
    return out[0] if len(out) == 1 else tuple(out)


def _c_name(dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "half"}.get(dtype.name,
                                                                           dtype.name)


class _PyFunc(OpDef):
    """Calls `func` on the input arrays; outputs of the declared types, unknown shapes."""

    stateful = True  # never folded or merged: the function runs at every run

    @staticmethod
    def infer(*inputs, func, token, Tin, Tout):
        return [Spec(t, TensorShape(None)) for t in Tout]

    @staticmethod
    def compute(*arrays, func, token, Tin, Tout):
        return _call(func, token, arrays, Tout)

    gradient = staticmethod(no_gradient)


@register_op("PyFunc")
class PyFunc(_PyFunc):
    """A stateful Python function (it may differ between runs with equal inputs)."""


@register_op("PyFuncStateless")
class PyFuncStateless(_PyFunc):
    """A Python function declared free of side effects (stateful=False)."""


_TOKENS = itertools.count()


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803 - TF's argument name
    """Run `func(*numpy arrays)` as a graph op; Tout is a dtype or a list of dtypes.

    Example: `y = tf.py_func(lambda x: np.sort(x), [x], tf.float32)`.
    """
    single = not isinstance(Tout, (list, tuple))
    output_types = [_dtypes.as_dtype(t) for t in ([Tout] if single else Tout)]
    inputs = [convert_to_tensor(x) for x in inp]
    op_def = PyFunc if stateful else PyFuncStateless
    out = op_def.apply(inputs, name=name, func=func, token=f"pyfunc_{next(_TOKENS)}",
                       Tin=tuple(t.dtype.base_dtype for t in inputs), Tout=tuple(output_types))
    if isinstance(out, Tensor):
        return out if single else [out]
    return [] if not output_types else list(out)


def numpy_function(func, inp, Tout, name=None):  # noqa: N803 - TF's argument name
    """tf.numpy_function: py_func that is always stateful."""
    return py_func(func, inp, Tout, stateful=True, name=name)


@register_op("IdentityN")
class IdentityN(OpDef):
    """Returns every input unchanged (custom_gradient hangs its gradient on it)."""

    @staticmethod
    def infer(*specs):
        return [Spec(s.dtype.base_dtype, s.shape) for s in specs]

    @staticmethod
    def compute(*arrays):
        return arrays[0] if len(arrays) == 1 else tuple(arrays)

    @staticmethod
    def gradient(op, *grads):
        return list(grads)


def identity_n(inputs, name=None) -> list:
    """The inputs unchanged, as one op.  Example: `a2, b2 = tf.identity_n([a, b])`."""
    out = IdentityN.apply(list(inputs), name=name)
    return [out] if isinstance(out, Tensor) else list(out)


_CUSTOM = itertools.count()


def custom_gradient(f):
    """Decorator: `f(*x)` returns `(y, grad_fn)`; tf.gradients then uses grad_fn(dy) -> dx.

    Example:
        @tf.custom_gradient
        def clip_grad(x):
            return tf.identity(x), lambda dy: tf.clip_by_value(dy, -0.1, 0.1)

    TF1 note: grad_fn's `variables=` argument (for variables read inside f) is not
    supported; pass such variables as inputs instead.
    """

    def decorated(*args, **kwargs):
        if kwargs:
            raise ValueError("The custom_gradient function must take positional tensors only "
                             f"(got keyword arguments {sorted(kwargs)}).")
        inputs = [convert_to_tensor(a) for a in args]
        result, grad_fn = f(*inputs)
        flat = [convert_to_tensor(r) for r in
                (result if isinstance(result, (list, tuple)) else [result])]
        name = _register_custom(grad_fn, len(flat), len(inputs), f.__name__)
        with get_default_graph().gradient_override_map({"IdentityN": name}), \
                name_scope(None, "IdentityN"):
            outputs = identity_n(flat + inputs)[:len(flat)]
        return type(result)(outputs) if isinstance(result, (list, tuple)) else outputs[0]

    decorated.__name__ = getattr(f, "__name__", "custom_gradient")
    decorated.__doc__ = f.__doc__
    return decorated


def _register_custom(grad_fn, n_outputs: int, n_inputs: int, label: str) -> str:
    """Register the IdentityN gradient of one custom_gradient call; return its name."""
    name = f"CustomGradient-{next(_CUSTOM)}"

    @RegisterGradient(name)
    def _gradient(op, *grads):
        input_grads = grad_fn(*grads[:n_outputs])
        if not isinstance(input_grads, (list, tuple)):
            input_grads = [input_grads]
        if len(input_grads) != n_inputs:
            raise ValueError(f"custom_gradient function {label} returned "
                             f"{len(input_grads)} gradients for {n_inputs} inputs.")
        return [None] * n_outputs + list(input_grads)

    return name
