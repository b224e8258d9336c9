"""IndexedSlices: a sparse stand-in for a dense tensor, as rows `values` at `indices`.

The gradient of a gather along axis 0 (and so of an embedding lookup) is an IndexedSlices:
rows of the gradient at the gathered indices, duplicates not yet summed, plus the
`dense_shape` of the full tensor. Optimizers update only those rows; anything else that needs
a Tensor converts it (`tf.convert_to_tensor`), which sums the rows into a dense tensor. This
file holds the container only; the densifying op lives in ops/ (it fills `OPERATORS`).
"""

from __future__ import annotations

import collections

from .shapes import TensorShape
from .tensor import OPERATORS, Tensor

__all__ = ["IndexedSlices", "IndexedSlicesValue"]

IndexedSlicesValue = collections.namedtuple("IndexedSlicesValue",
                                            ["values", "indices", "dense_shape"])
IndexedSlicesValue.__doc__ = "What Session.run returns for a fetched IndexedSlices."


class IndexedSlices:
    """Rows `values[i]` of a tensor of shape `dense_shape` at positions `indices[i]`.

    Example: the gradient of `tf.gather(params, [2, 2, 0])` w.r.t. params is
    IndexedSlices(values=<3 rows>, indices=[2, 2, 0], dense_shape=params.shape).
    """

    __slots__ = ("_values", "_indices", "_dense_shape")

    def __init__(self, values: Tensor, indices: Tensor, dense_shape: Tensor | None = None):
        self._values = values
        self._indices = indices
        self._dense_shape = dense_shape

    values = property(lambda self: self._values)
    indices = property(lambda self: self._indices)
    dense_shape = property(lambda self: self._dense_shape)
    dtype = property(lambda self: self._values.dtype)
    name = property(lambda self: self._values.name)
    op = property(lambda self: self._values.op)
    graph = property(lambda self: self._values.graph)
    device = property(lambda self: self._values.device)

    @property
    def shape(self):
        """The static shape of the dense tensor (rows of `values`, first dim from
        `dense_shape` when it is known)."""
        first = None
        if self._dense_shape is not None and self._dense_shape._static_value is not None:
            first = int(self._dense_shape._static_value[0])
        rest = self._values.shape[1:] if self._values.shape.ndims is not None else None
        return TensorShape([first]).concatenate(rest) if rest is not None else TensorShape(None)

    def get_shape(self):
        return self.shape

    def consumers(self) -> list:
        return self._values.consumers()

    def __neg__(self):
        return IndexedSlices(-self._values, self._indices, self._dense_shape)

    def __repr__(self):
        shape = "" if self._dense_shape is None else f", dense_shape={self._dense_shape}"
        return f"IndexedSlices(indices={self._indices}, values={self._values}{shape})"


def to_dense(value: IndexedSlices) -> Tensor:
    """The dense tensor an IndexedSlices stands for (rows at equal indices summed)."""
    if value.dense_shape is None:
        raise ValueError(f"Tensor conversion requested for IndexedSlices without dense_shape: "
                         f"{value!r}. Fix: give the IndexedSlices a dense_shape.")
    return OPERATORS["indexed_slices_to_dense"](value)
