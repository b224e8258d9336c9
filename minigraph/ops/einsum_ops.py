"""tf.einsum as TF1 builds it: a composite of reduce_sum, transpose, reshape and matmul.

Lives here: `einsum` and its subscript parsing. Each operand first sums out the letters no
one else needs; a pair of operands becomes one (batch) matrix product: the letters both
share and the output keeps are the batch, the shared letters the output drops are
contracted, the rest are the rows and columns. More than two operands are folded left.
Gradients come from the ops it is built of. Not supported (a clear error, as TF1): an
ellipsis and a letter repeated within one operand (diagonals).
"""

from __future__ import annotations

from ..framework.graph import name_scope
from ..framework.tensor import Tensor
from . import array_ops, broadcast_ops, linalg_ops, shape_ops
from .constant_op import convert_to_tensor

__all__ = ["einsum"]


def parse_equation(equation: str, count: int) -> tuple:
    """(input subscripts, output subscript) of an einsum equation, TF1's implicit output
    (letters used once, in alphabetical order) when it has no '->'."""
    equation = equation.replace(" ", "")
    if "." in equation:
        raise ValueError(f"einsum: ellipsis ('...') is not supported in '{equation}'. Fix: "
                         "name every dimension with a letter.")
    left, arrow, out = equation.partition("->")
    inputs = left.split(",")
    if len(inputs) != count:
        raise ValueError(f"einsum: the equation '{equation}' has {len(inputs)} input "
                         f"subscripts but {count} operands were given.")
    letters = "".join(inputs)
    if not arrow:
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for sub in inputs + [out]:
        if not sub.isalpha() and sub:
            raise ValueError(f"einsum: subscripts must be letters, got '{sub}' in "
                             f"'{equation}'.")
        if len(set(sub)) != len(sub):
            raise ValueError(f"einsum: subscript '{sub}' in '{equation}' repeats a letter; "
                             "diagonals and traces are not supported.")
    missing = set(out) - set(letters)
    if missing:
        raise ValueError(f"einsum: output letters {sorted(missing)} of '{equation}' appear in "
                         "no input.")
    return inputs, out


def einsum(equation, *inputs, **kwargs) -> Tensor:
    """Tensor contraction by subscripts.  Examples: 'ij,jk->ik' (matmul), 'bij,bjk->bik'
    (batch matmul), 'ij->ji' (transpose), 'ij->i' (row sums), 'i,j->ij' (outer product)."""
    name = kwargs.pop("name", None)
    if kwargs:
        raise TypeError(f"einsum: unexpected keyword arguments {sorted(kwargs)}.")
    subs, out = parse_equation(equation, len(inputs))
    with name_scope(name, "einsum", list(inputs)):
        tensors = [convert_to_tensor(x, name=f"input_{i}") for i, x in enumerate(inputs)]
        for x, sub in zip(tensors, subs):
            if x.shape.ndims is not None and x.shape.ndims != len(sub):
                raise ValueError(f"einsum: operand of shape {x.shape} has rank "
                                 f"{x.shape.ndims} but subscript '{sub}' names {len(sub)} "
                                 "dimensions.")
        x, sub = tensors[0], subs[0]
        for i in range(1, len(tensors)):
            later = set(out).union(*subs[i + 1:])
            x, sub = _contract_pair(x, sub, tensors[i], subs[i], later)
        x, sub = _sum_out(x, sub, set(out))
        return _permute(x, sub, out)


def _sum_out(x, sub: str, keep: set) -> tuple:
    """Sum over the letters of `sub` not in `keep`."""
    axes = [i for i, c in enumerate(sub) if c not in keep]
    if not axes:
        return x, sub
    return broadcast_ops.reduce_sum(x, axes), "".join(c for c in sub if c in keep)


def _permute(x, sub: str, order: str):
    if sub == order:
        return x
    return shape_ops.transpose(x, [sub.index(c) for c in order])


def _sizes(x, sub: str) -> dict:
    """letter -> dimension size (an int when static, else a scalar int32 tensor)."""
    known = x.shape.as_list() if x.shape.ndims is not None else [None] * len(sub)
    dynamic = None
    sizes = {}
    for i, c in enumerate(sub):
        if known[i] is None:
            dynamic = shape_ops.shape(x) if dynamic is None else dynamic
            sizes[c] = dynamic[i]
        else:
            sizes[c] = known[i]
    return sizes


def _product(values):
    out = 1
    for v in values:
        out = out * v
    return out


def _shaped(x, dims: list):
    if all(isinstance(d, int) for d in dims):
        return shape_ops.reshape(x, dims)
    return shape_ops.reshape(x, array_ops.stack([convert_to_tensor(d) for d in dims]))


def _contract_pair(a, sa: str, b, sb: str, later: set) -> tuple:
    """a (subscript sa) times b (sb) as one matmul; the result keeps the letters in `later`."""
    a, sa = _sum_out(a, sa, later | set(sb))
    b, sb = _sum_out(b, sb, later | set(sa))
    batch = "".join(c for c in sa if c in sb and c in later)
    inner = "".join(c for c in sa if c in sb and c not in later)
    rows = "".join(c for c in sa if c not in sb)
    cols = "".join(c for c in sb if c not in sa)
    a = _permute(a, sa, batch + rows + inner)
    b = _permute(b, sb, batch + inner + cols)
    a_sizes, b_sizes = _sizes(a, batch + rows + inner), _sizes(b, batch + inner + cols)
    sizes = {**b_sizes, **a_sizes}
    for c in batch + inner:
        sa_n, sb_n = a_sizes[c], b_sizes[c]
        if isinstance(sa_n, int) and isinstance(sb_n, int) and sa_n != sb_n:
            raise ValueError(f"einsum: dimension '{c}' is {sa_n} in one operand and {sb_n} "
                             "in the other.")
    n = [_product(sizes[c] for c in part) for part in (batch, rows, inner, cols)]
    lead = [n[0]] if batch else []
    product = linalg_ops.matmul(_shaped(a, lead + [n[1], n[2]]),
                                _shaped(b, lead + [n[2], n[3]]))
    result = batch + rows + cols
    return _shaped(product, [sizes[c] for c in result]), result
