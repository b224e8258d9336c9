"""Static shapes: TensorShape and Dimension with TF 1.x (v1) semantics, and broadcasting.

Lives here: partially known shapes (`(?, 3)`), merging and compatibility checks, and the
static broadcasting rule shared by every elementwise op. Run-time shapes are numpy's business.
"""

from __future__ import annotations

__all__ = ["Dimension", "TensorShape", "as_shape", "broadcast_shapes", "dimension_value"]


class Dimension:
    """One dimension of a static shape; `value` is an int or None (unknown).

    Comparisons with an unknown dimension return None, as in TF 1.x.
    """

    __slots__ = ("_value",)

    def __init__(self, value):
        if isinstance(value, Dimension):
            value = value.value
        if value is not None:
            if isinstance(value, bool) or not hasattr(value, "__index__"):
                raise TypeError(f"Dimension value must be an integer or None, got {value!r}.")
            value = int(value)
            if value < 0:
                raise ValueError(f"Dimension {value} must be >= 0.")
        self._value = value

    @property
    def value(self):
        return self._value

    def __repr__(self):
        return f"Dimension({self._value})"

    def __str__(self):
        return "?" if self._value is None else str(self._value)

    def __int__(self):
        if self._value is None:
            raise TypeError("Cannot convert an unknown Dimension to an int.")
        return self._value

    __index__ = __int__

    def __hash__(self):
        return hash(self._value)

    def _cmp(self, other, fn):
        other = dimension_value(other)
        if self._value is None or other is None:
            return None
        return fn(self._value, other)

    def __eq__(self, other):
        try:
            return self._cmp(other, lambda a, b: a == b)
        except TypeError:
            return NotImplemented

    def __ne__(self, other):
        try:
            return self._cmp(other, lambda a, b: a != b)
        except TypeError:
            return NotImplemented

    def __lt__(self, other):
        return self._cmp(other, lambda a, b: a < b)

    def __le__(self, other):
        return self._cmp(other, lambda a, b: a <= b)

    def __gt__(self, other):
        return self._cmp(other, lambda a, b: a > b)

    def __ge__(self, other):
        return self._cmp(other, lambda a, b: a >= b)

    def _arith(self, other, fn):
        other = dimension_value(other)
        if self._value is None or other is None:
            return Dimension(None)
        return Dimension(fn(self._value, other))

    def __add__(self, other):
        return self._arith(other, lambda a, b: a + b)

    __radd__ = __add__

    def __sub__(self, other):
        return self._arith(other, lambda a, b: a - b)

    def __mul__(self, other):
        return self._arith(other, lambda a, b: a * b)

    __rmul__ = __mul__

    def __floordiv__(self, other):
        return self._arith(other, lambda a, b: a // b)

    def is_compatible_with(self, other) -> bool:
        other = dimension_value(other)
        return self._value is None or other is None or self._value == other

    def merge_with(self, other) -> "Dimension":
        other = dimension_value(other)
        if self._value is None:
            return Dimension(other)
        if other is None or other == self._value:
            return Dimension(self._value)
        raise ValueError(f"Dimensions {self._value} and {other} are not compatible")


def dimension_value(dim):
    """Return the int (or None) behind a Dimension, int or None."""
    if isinstance(dim, Dimension):
        return dim.value
    if dim is None:
        return None
    if isinstance(dim, bool) or not hasattr(dim, "__index__"):
        raise TypeError(f"Expected an int, None or Dimension as a dimension, got {dim!r}.")
    return int(dim)


class TensorShape:
    """A static shape: unknown rank (`TensorShape(None)`), or a tuple of ints/None.

    Example: `TensorShape([None, 3])` prints `(?, 3)`; `.as_list()` -> `[None, 3]`.
    """

    __slots__ = ("_dims",)

    def __init__(self, dims):
        if dims is None:
            self._dims = None
        elif isinstance(dims, TensorShape):
            self._dims = dims._dims
        elif isinstance(dims, (list, tuple)):
            self._dims = tuple(d if d is None or type(d) is int else dimension_value(d)
                               for d in dims)
        else:
            # TF accepts a single int as a rank-1 shape: placeholder(shape=2) is [2].
            self._dims = (dimension_value(dims),)
        if self._dims is not None:
            for d in self._dims:
                if d is not None and d < 0:
                    raise ValueError(f"Dimension {d} must be >= 0 in shape {list(dims)}; use "
                                     "None for an unknown dimension.")

    # -- queries ------------------------------------------------------------------------
    @property
    def ndims(self):
        return None if self._dims is None else len(self._dims)

    rank = ndims

    @property
    def dims(self):
        return None if self._dims is None else [Dimension(d) for d in self._dims]

    @property
    def known(self):
        """The dims as a tuple of ints/None, or None for unknown rank (minigraph helper)."""
        return self._dims

    def is_fully_defined(self) -> bool:
        return self._dims is not None and all(d is not None for d in self._dims)

    def num_elements(self):
        if self._dims is None:
            return None
        n = 1
        for d in self._dims:
            if d is None:  # an unknown dimension: the count is unknown too
                return None
            n *= d
        return n

    def as_list(self):
        if self._dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self._dims)

    def __len__(self):
        if self._dims is None:
            raise ValueError("Cannot take the length of shape with unknown rank.")
        return len(self._dims)

    def __iter__(self):
        if self._dims is None:
            raise ValueError("Cannot iterate over a shape with unknown rank.")
        return iter(Dimension(d) for d in self._dims)

    def __getitem__(self, key):
        if self._dims is None:
            if isinstance(key, slice):
                return TensorShape(None)
            return Dimension(None)
        if isinstance(key, slice):
            return TensorShape(self._dims[key])
        return Dimension(self._dims[key])

    def __bool__(self):
        return self._dims is not None

    # -- combination --------------------------------------------------------------------
    def is_compatible_with(self, other) -> bool:
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return True
        if len(self._dims) != len(other._dims):
            return False
        return all(a is None or b is None or a == b for a, b in zip(self._dims, other._dims))

    def merge_with(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None:
            return other
        if other._dims is None:
            return self
        if len(self._dims) != len(other._dims):
            raise ValueError(f"Shapes must be equal rank, but are {len(self._dims)} and "
                             f"{len(other._dims)}")
        merged = []
        for i, (a, b) in enumerate(zip(self._dims, other._dims)):
            if a is not None and b is not None and a != b:
                raise ValueError(f"Dimension {i} in both shapes must be equal, but are {a} and "
                                 f"{b}. Shapes are {self._bracket()} and {other._bracket()}.")
            merged.append(a if a is not None else b)
        return TensorShape(merged)

    def most_specific_compatible_shape(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None or other._dims is None or len(self._dims) != len(other._dims):
            return TensorShape(None)
        return TensorShape([a if a == b else None for a, b in zip(self._dims, other._dims)])

    def concatenate(self, other) -> "TensorShape":
        other = as_shape(other)
        if self._dims is None or other._dims is None:
            return TensorShape(None)
        return TensorShape(self._dims + other._dims)

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError(f"Shapes {self} and {as_shape(other)} are incompatible")

    def with_rank(self, rank):
        return self.merge_with(unknown_shape(rank))

    # -- printing and equality ----------------------------------------------------------
    def _bracket(self):
        if self._dims is None:
            return "?"
        return "[" + ",".join("?" if d is None else str(d) for d in self._dims) + "]"

    def __str__(self):
        if self._dims is None:
            return "<unknown>"
        inner = ", ".join("?" if d is None else str(d) for d in self._dims)
        return f"({inner},)" if len(self._dims) == 1 else f"({inner})"

    def __repr__(self):
        if self._dims is None:
            return "TensorShape(None)"
        return "TensorShape([" + ", ".join(f"Dimension({d})" for d in self._dims) + "])"

    def __eq__(self, other):
        try:
            other = as_shape(other)
        except (TypeError, ValueError):
            return NotImplemented
        return self._dims == other._dims

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    def __hash__(self):
        return hash(self._dims)


def unknown_shape(rank=None) -> TensorShape:
    return TensorShape(None if rank is None else [None] * rank)


def as_shape(shape) -> TensorShape:
    """Return `shape` as a TensorShape (accepts lists, tuples, ints, None and TensorShapes)."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


def broadcast_shapes(a: TensorShape, b: TensorShape) -> TensorShape:
    """Return the static broadcast of two shapes, or raise ValueError if they cannot broadcast.

    Unknown dimensions broadcast optimistically, as TF's shape inference does:
    `[None, 3]` with `[2, None]` gives `(2, 3)`.
    """
    if a._dims is None or b._dims is None:
        return TensorShape(None)
    x, y = a._dims, b._dims
    n = max(len(x), len(y))
    x = (1,) * (n - len(x)) + x
    y = (1,) * (n - len(y)) + y
    out = []
    for p, q in zip(x, y):
        if p == 1:
            out.append(q)
        elif q == 1:
            out.append(p)
        elif p is None:
            out.append(q)
        elif q is None or p == q:
            out.append(p)
        else:
            raise ValueError(f"Dimensions must be equal, but are {p} and {q}")
    return TensorShape(out)
