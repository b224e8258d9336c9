"""Matrix products: MatMul (rank 2) and BatchMatMulV2 (rank >= 2, batch dims broadcast).

Lives here: the two product ops and `tf.matmul`, which picks between them as TF does. Both
gradients come from one table of the four transpose combinations (`product_grads`).
Decompositions and solvers are not part of minigraph.
"""

from __future__ import annotations

import numpy as np

from ..framework.errors import InvalidArgumentError
from ..framework.graph import name_scope
from ..framework.tensor import OPERATORS, Spec, Tensor
from ..framework.registry import OpDef, register_op
from ..framework.shapes import TensorShape, broadcast_shapes
from .broadcast_ops import reduce_to_input_shape
from .common import FLOATS, check_dtype_in, check_same_dtype
from .constant_op import convert_pair

MATMUL_TYPES = FLOATS + ("int32", "int64", "complex64", "complex128")

__all__ = ["matmul", "matrix_band_part"]


def matrix_dims(op_type: str, spec: Spec, transposed: bool, arg: str, min_rank: int):
    """The (rows, cols) of `spec` after the optional transpose; checks the rank."""
    rank = spec.shape.ndims
    if rank is None:
        return None, None
    if rank < min_rank or op_type == "MatMul" and rank != 2:
        need = "rank 2" if op_type == "MatMul" else "at least rank 2"
        raise ValueError(f"Shape must be {need} but is rank {rank} for '{op_type}' input "
                         f"'{arg}'. Fix: tf.reshape the input to a matrix (e.g. [1, -1]) "
                         "or use tf.multiply for elementwise products.")
    rows, cols = spec.shape.known[-2:]
    return (cols, rows) if transposed else (rows, cols)


def check_inner(op_type: str, a: Spec, b: Spec, k_a, k_b) -> None:
    if k_a is not None and k_b is not None and k_a != k_b:
        raise ValueError(f"Dimensions must be equal, but are {k_a} and {k_b} for '{op_type}' "
                         f"with input shapes: {a.shape._bracket()}, {b.shape._bracket()}. "
                         "Fix: pass transpose_b=True (or transpose_a=True) if one matrix is "
                         "stored the other way round, or check the weight shape.")


def product_grads(a, b, grad, transpose_a, transpose_b, product):
    """Gradients of C = op(a) @ op(b) for the four transpose combinations.

    `product(p, q, transpose_p, transpose_q)` builds the matching product op.
    """
    if not transpose_a and not transpose_b:
        return product(grad, b, False, True), product(a, grad, True, False)
    if not transpose_a:
        return product(grad, b, False, False), product(grad, a, True, False)
    if not transpose_b:
        return product(b, grad, False, True), product(a, grad, False, False)
    return product(b, grad, True, True), product(grad, a, True, True)


def _dims(array) -> str:
    return "[" + ",".join(str(d) for d in array.shape) + "]"


@register_op("MatMul")
class MatMul(OpDef):
    """Matrix product of two rank-2 tensors, optionally transposing either one."""

    inputs = ("a", "b")

    @staticmethod
    def infer(a, b, *, transpose_a=False, transpose_b=False):
        check_dtype_in("MatMul", a, MATMUL_TYPES, arg="a")
        check_same_dtype("MatMul", [a, b], names=("a", "b"))
        m, k_a = matrix_dims("MatMul", a, transpose_a, "a", 2)
        k_b, n = matrix_dims("MatMul", b, transpose_b, "b", 2)
        check_inner("MatMul", a, b, k_a, k_b)
        return Spec(a.dtype, TensorShape([m, n]))

    @staticmethod
    def compute(a, b, *, transpose_a=False, transpose_b=False):
        a, b = (a.T if transpose_a else a), (b.T if transpose_b else b)
        if a.ndim == 2 and b.ndim == 2 and a.shape[1] != b.shape[0]:
            raise InvalidArgumentError(
                None, None, f"Matrix size-incompatible: In[0]: {_dims(a)}, In[1]: {_dims(b)}. "
                f"Fix: the inner dimensions must agree; check the fed "
                "batch's feature count, or pass transpose_b=True.")
        return np.matmul(a, b)

    @staticmethod
    def gradient(op, grad):
        def product(p, q, tp, tq):
            return MatMul.apply([p, q], transpose_a=tp, transpose_b=tq)

        a, b = op.inputs
        return list(product_grads(a, b, grad, op.attrs["transpose_a"],
                                  op.attrs["transpose_b"], product))


@register_op("BatchMatMulV2")
class BatchMatMulV2(OpDef):
    """Matrix products over the last two axes; leading (batch) axes broadcast.

    TF1 note: for complex inputs minigraph transposes without conjugating.
    """

    inputs = ("x", "y")

    @staticmethod
    def infer(x, y, *, adj_x=False, adj_y=False):
        check_dtype_in("BatchMatMulV2", x, MATMUL_TYPES)
        check_same_dtype("BatchMatMulV2", [x, y])
        m, k_x = matrix_dims("BatchMatMulV2", x, adj_x, "x", 2)
        k_y, n = matrix_dims("BatchMatMulV2", y, adj_y, "y", 2)
        check_inner("BatchMatMulV2", x, y, k_x, k_y)
        if x.shape.ndims is None or y.shape.ndims is None:
            return Spec(x.dtype, TensorShape(None))
        try:
            batch = broadcast_shapes(TensorShape(x.shape.known[:-2]),
                                     TensorShape(y.shape.known[:-2]))
        except ValueError as e:
            raise ValueError(f"Batch dimensions of x and y do not broadcast: {e}. Fix: make "
                             "the leading dimensions equal or 1.") from None
        return Spec(x.dtype, TensorShape(list(batch.known) + [m, n]))

    @staticmethod
    def compute(x, y, *, adj_x=False, adj_y=False):
        return np.matmul(np.swapaxes(x, -1, -2) if adj_x else x,
                         np.swapaxes(y, -1, -2) if adj_y else y)

    @staticmethod
    def gradient(op, grad):
        def product(p, q, tp, tq):
            return BatchMatMulV2.apply([p, q], adj_x=tp, adj_y=tq)

        x, y = op.inputs
        dx, dy = product_grads(x, y, grad, op.attrs["adj_x"], op.attrs["adj_y"], product)
        # Batch axes that were broadcast are summed back to each input's shape.
        return [reduce_to_input_shape(dx, x), reduce_to_input_shape(dy, y)]


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None) -> Tensor:
    """Multiply matrix `a` by matrix `b` (rank > 2: a batch of matrices).

    Raises ValueError at build time when the inner dimensions differ.
    Example: `tf.matmul(x, w)` with x (batch, 3), w (3, units) -> (batch, units).
    TF1 note: the sparse hints are accepted and ignored.
    """
    if transpose_a and adjoint_a or transpose_b and adjoint_b:
        raise ValueError("Only one of transpose_a and adjoint_a (transpose_b and adjoint_b) "
                         "can be True. Fix: for real matrices they mean the same; keep one.")
    transpose_a, transpose_b = transpose_a or adjoint_a, transpose_b or adjoint_b
    with name_scope(name, "MatMul", [a, b]) as scope:
        a, b = convert_pair(a, b, names=("a", "b"))
        ranks = (a.shape.ndims, b.shape.ndims)
        if None in ranks or max(ranks) > 2:
            return BatchMatMulV2.apply([a, b], name=scope, adj_x=transpose_a,
                                       adj_y=transpose_b)
        return MatMul.apply([a, b], name=scope, transpose_a=transpose_a,
                            transpose_b=transpose_b)


OPERATORS["matmul"] = lambda x, y: matmul(x, y, name="matmul")


@register_op("MatrixBandPart")
class MatrixBandPart(OpDef):
    """Keep the band of each innermost matrix: entry (m, n) stays when it is at most
    `num_lower` below and `num_upper` above the diagonal (-1: the whole triangle); the rest
    is zero. `(0, -1)` is the upper triangle, `(-1, 0)` the lower, `(0, 0)` the diagonal."""

    inputs = ("input", "num_lower", "num_upper")
    input_types = ("T", "Tindex", "Tindex")

    @staticmethod
    def infer(x, num_lower, num_upper):
        if x.shape.ndims is not None and x.shape.ndims < 2:
            raise ValueError(f"input must be at least 2-dim, received shape {x.shape}. Fix: "
                             "pass a matrix or a batch of matrices.")
        for arg, spec in (("num_lower", num_lower), ("num_upper", num_upper)):
            if spec.shape.ndims not in (None, 0):
                raise ValueError(f"{arg} must be a scalar, got shape {spec.shape}.")
        return Spec(x.dtype, x.shape)

    @staticmethod
    def compute(x, num_lower, num_upper):
        rows, cols = np.shape(x)[-2:]
        lower, upper = int(num_lower), int(num_upper)
        if lower > rows or upper > cols:
            raise InvalidArgumentError(None, None, f"num_lower ({lower}) must be at most the "
                                       f"number of rows ({rows}) and num_upper ({upper}) at "
                                       f"most the number of columns ({cols}). Fix: use -1 "
                                       "to keep a whole triangle.")
        offset = np.arange(cols)[None, :] - np.arange(rows)[:, None]  # n - m
        keep = ((lower < 0) | (-offset <= lower)) & ((upper < 0) | (offset <= upper))
        return np.where(keep, x, np.zeros((), np.asarray(x).dtype))

    @staticmethod
    def gradient(op, grad):
        return [matrix_band_part(grad, op.inputs[1], op.inputs[2]), None, None]


def matrix_band_part(input, num_lower, num_upper, name=None) -> Tensor:  # noqa: A002
    """Zero everything outside a band of each matrix.

    Example: `tf.matrix_band_part(m, 0, -1)` is the upper triangle of `m`.
    """
    return MatrixBandPart.apply([input, num_lower, num_upper], name=name)
