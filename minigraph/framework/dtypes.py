"""DType objects (float32, int64, ...) and the TF 1.x rules for turning Python values into them.

Lives here: the DType class, the module-level dtype constants, `as_dtype`, and
`infer_dtype` (Python/numpy value -> DType, as TF 1.x infers it). Conversion of values into
tensors lives in `ops/constant_op.py`; this module knows nothing about graphs.
"""

from __future__ import annotations

import builtins

import numpy as np
from .missing import namespace_getattr

__all__ = [
    "DType", "as_dtype", "float16", "half", "float32", "float64", "double", "int8", "int16",
    "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool", "string", "complex64",
    "complex128", "resource", "variant",
]


class DType:
    """A tensor element type with TF 1.x names and properties.  Example: `tf.float32.size` -> 4."""

    __slots__ = ("name", "_numpy", "enum", "_base", "_ref")

    def __init__(self, name: str, numpy_type, enum: int, base: "DType | None" = None):
        self.name = name
        self._numpy = numpy_type
        self.enum = enum
        self._base = base
        self._ref: DType | None = None

    # -- properties TF users know -------------------------------------------------------
    @property
    def base_dtype(self) -> "DType":
        return self._base if self._base is not None else self

    @property
    def is_ref_dtype(self) -> builtins.bool:
        return self._base is not None

    @property
    def as_numpy_dtype(self):
        return self._numpy

    @property
    def is_floating(self) -> builtins.bool:
        return self.base_dtype.name in ("float16", "float32", "float64")

    @property
    def is_integer(self) -> builtins.bool:
        return self.base_dtype.name.startswith(("int", "uint"))

    @property
    def is_unsigned(self) -> builtins.bool:
        return self.base_dtype.name.startswith("uint")

    @property
    def is_bool(self) -> builtins.bool:
        return self.base_dtype.name == "bool"

    @property
    def is_complex(self) -> builtins.bool:
        return self.base_dtype.name.startswith("complex")

    @property
    def is_numeric(self) -> builtins.bool:
        return self.is_floating or self.is_integer or self.is_complex

    @property
    def real_dtype(self) -> "DType":
        return {"complex64": float32, "complex128": float64}.get(self.base_dtype.name,
                                                                 self.base_dtype)

    @property
    def size(self) -> int:
        return 1 if self._numpy is object else np.dtype(self._numpy).itemsize

    @property
    def min(self):
        if self.is_floating:
            return np.finfo(self._numpy).min
        if self.is_integer:
            return np.iinfo(self._numpy).min
        raise TypeError(f"Cannot find minimum value of {self}.")

    @property
    def max(self):
        if self.is_floating:
            return np.finfo(self._numpy).max
        if self.is_integer:
            return np.iinfo(self._numpy).max
        raise TypeError(f"Cannot find maximum value of {self}.")

    @property
    def c_name(self) -> str:
        """The C++ spelling TF uses in run-time messages (float, double, int32, ...)."""
        return _C_NAMES.get(self.base_dtype.name, self.base_dtype.name)

    def as_ref(self) -> "DType":
        """Return the reference dtype (`float32_ref`) that a RefVariable's tensor carries."""
        if self._base is not None:
            return self
        if self._ref is None:
            self._ref = DType(self.name + "_ref", self._numpy, self.enum + 100, base=self)
        return self._ref

    def is_compatible_with(self, other) -> builtins.bool:
        return self.base_dtype == as_dtype(other).base_dtype

    # -- protocol -----------------------------------------------------------------------
    def __eq__(self, other):
        if isinstance(other, DType):
            return self.name == other.name
        if other is None:
            return False
        try:
            return self.name == as_dtype(other).name
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return f"tf.{self.name}"

    def __str__(self):
        return f"<dtype: '{self.name}'>"

    def __reduce__(self):
        return as_dtype, (self.name,)


float16 = DType("float16", np.float16, 19)
float32 = DType("float32", np.float32, 1)
float64 = DType("float64", np.float64, 2)
int8 = DType("int8", np.int8, 6)
int16 = DType("int16", np.int16, 5)
int32 = DType("int32", np.int32, 3)
int64 = DType("int64", np.int64, 9)
uint8 = DType("uint8", np.uint8, 4)
uint16 = DType("uint16", np.uint16, 17)
uint32 = DType("uint32", np.uint32, 22)
uint64 = DType("uint64", np.uint64, 23)
bool = DType("bool", np.bool_, 10)  # noqa: A001 - TF's public name is tf.bool
string = DType("string", object, 7)
complex64 = DType("complex64", np.complex64, 8)
complex128 = DType("complex128", np.complex128, 18)
# Handles of session-owned state (a tf.data iterator; a TensorArray or stack in exported graphs)
# and opaque values (a dataset, a while loop's saved iterations); their values are Python
# objects.
resource = DType("resource", object, 20)
variant = DType("variant", object, 21)
half = float16
double = float64

_ALL = [float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
        bool, string, complex64, complex128, resource, variant]
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update({"float": float32, "double": float64, "half": float16})
_BY_NUMPY = {np.dtype(d.as_numpy_dtype): d for d in _ALL
             if d not in (string, resource, variant)}
_C_NAMES = {"float32": "float", "float64": "double", "float16": "half"}


def as_dtype(type_value) -> DType:
    """Convert a DType, a numpy dtype or type, or a name such as "float32" into a DType.

    Example: `tf.as_dtype("double")` -> `tf.float64`.
    """
    if isinstance(type_value, DType):
        return type_value
    if isinstance(type_value, str):
        if type_value in _BY_NAME:
            return _BY_NAME[type_value]
        if type_value.endswith("_ref") and type_value[:-4] in _BY_NAME:
            return _BY_NAME[type_value[:-4]].as_ref()
    elif type_value is object or type_value is bytes or type_value is str:
        return string
    else:
        try:
            npd = np.dtype(type_value)
        except TypeError:
            npd = None
        if npd is not None:
            if npd.kind in ("O", "S", "U"):
                return string
            if npd in _BY_NUMPY:
                return _BY_NUMPY[npd]
    raise TypeError(f"Cannot convert the argument `type_value`: {type_value!r} to a minigraph "
                    "DType. Use a name such as 'float32' or a dtype such as tf.int64.")


_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


def infer_dtype(value) -> DType:
    """Return the dtype TF 1.x gives a Python or numpy value (int -> int32, float -> float32)."""
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return as_dtype(value.dtype)
    if isinstance(value, builtins.bool):
        return bool
    if isinstance(value, int):
        if _INT32_MIN <= value <= _INT32_MAX:
            return int32
        return int64 if -(2**63) <= value < 2**63 else uint64
    if isinstance(value, float):
        return float32
    if isinstance(value, complex):
        return complex128
    if isinstance(value, (str, bytes)):
        return string
    if isinstance(value, (list, tuple)):
        return _infer_sequence_dtype(value)
    raise TypeError(f"Failed to convert elements of {value!r} to Tensor: values of type "
                    f"{type(value).__name__} are not supported. Pass numbers, lists of numbers "
                    "or numpy arrays.")


def _infer_sequence_dtype(seq) -> DType:
    found = []
    stack = [seq]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            found.append(infer_dtype(item))
    if not found:
        return float32
    names = {d.name for d in found}
    if "string" in names:
        if len(names) > 1:
            raise TypeError(f"Failed to convert elements of {seq!r} to Tensor: strings are "
                            "mixed with numbers.")
        return string
    for candidate in ("complex128", "complex64", "float64", "float32", "float16", "uint64",
                      "int64", "int32", "bool"):
        if candidate in names:
            return _BY_NAME[candidate]
    return found[0]

__getattr__ = namespace_getattr("dtypes")
