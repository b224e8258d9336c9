"""Sparse optimizer updates: one `SparseApply*` op per TF kernel, touching only some rows.

Each op reads rows `indices` of the variable and its slots, applies the same formula as the
dense `Apply*` op of training_ops.py to those rows, and hands the new rows to the run
context (`write_rows`), so the cost is proportional to the rows, not the table. As in TF's
kernels, a repeated index is updated once per occurrence, in order (optimizers sum
duplicates first, so they pass unique indices). The output is the variable (TF's
`output_ref`). Deliberately absent: Adam, whose TF1 sparse rule is built from
assign/scatter_add ops by the optimizer itself.
"""

from __future__ import annotations

import numpy as np

from ..framework.tensor import Spec
from ..framework.registry import OpDef, no_gradient, register_op
from .common import check_dtype_in
from .scatter_ops import INDEX_TYPES, check_rows, occurrence_waves

__all__ = ["sparse_apply_momentum", "sparse_apply_adagrad", "sparse_apply_adadelta",
           "sparse_apply_rms_prop", "sparse_apply_centered_rms_prop", "sparse_apply_ftrl_v2",
           "sparse_apply_proximal_gradient_descent"]


class _SparseApply(OpDef):
    """Shared rule: refs have var's shape, grad has one row per index, indices is a vector,
    hyper-parameters are scalars. Subclasses define `rows(refs, grad, **hyper)`."""

    writes_ref = True
    uses_context = True
    stateful = True
    returns_ref = True

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.input_types = tuple("Tindices" if a == "indices" else "T" for a in cls.inputs)

    @classmethod
    def infer(cls, *specs, use_locking=False, use_nesterov=False):
        var, named = specs[0], dict(zip(cls.inputs, specs))
        check_dtype_in(cls.op_type, named["indices"], INDEX_TYPES, "indices")
        for arg, spec in named.items():
            if arg == "indices":
                continue
            if spec.dtype.base_dtype != var.dtype.base_dtype:
                raise TypeError(f"Input '{arg}' of '{cls.op_type}' Op has type "
                                f"{spec.dtype.base_dtype.name} that does not match type "
                                f"{var.dtype.base_dtype.name} of argument 'var'.")
            if arg in cls.inputs[:len(cls.ref_inputs)]:
                expected = var.shape
            elif arg == "grad":
                expected = named["indices"].shape.concatenate(var.shape[1:]) \
                    if var.shape.ndims is not None else None
            else:
                expected = []
            if expected is not None and not spec.shape.is_compatible_with(expected):
                raise ValueError(f"'{arg}' of '{cls.op_type}' has shape {spec.shape}, expected "
                                 f"{expected}. Fix: pass one gradient row per index and scalar "
                                 "hyper-parameters.")
        return Spec(var.dtype, var.shape)

    @classmethod
    def compute(cls, ctx, op, *arrays, **attrs):
        named = dict(zip(cls.inputs, arrays))
        refs = arrays[:len(cls.ref_inputs)]
        indices = check_rows(op, named["indices"], ctx.read(refs[0]).shape[0])
        grad = np.reshape(named["grad"], (indices.size,) + ctx.read(refs[0]).shape[1:])
        hyper = {k: v for k, v in named.items() if k not in ("indices", "grad")
                 and k not in cls.inputs[:len(refs)]}
        _, positions = np.unique(indices, return_inverse=True)
        for wave in occurrence_waves(positions.reshape(-1)):  # each index at most once
            rows = indices[wave]
            current = [ctx.read_rows(r, rows) for r in refs]
            new = cls.rows(current, grad[wave], **hyper, **attrs)
            for ref, value in zip(refs, new):
                ctx.write_rows(ref, rows, np.asarray(value, dtype=current[0].dtype))

    gradient = staticmethod(no_gradient)


@register_op("SparseApplyMomentum")
class SparseApplyMomentum(_SparseApply):
    """Rows: accum = accum*momentum + grad; var -= lr*accum (Nesterov as ApplyMomentum)."""

    inputs = ("var", "accum", "lr", "grad", "indices", "momentum")
    ref_inputs = (0, 1)

    @staticmethod
    def rows(refs, grad, lr, momentum, use_nesterov=False, **attrs):
        var, accum = refs
        accum = accum * momentum + grad
        step = grad * lr + accum * momentum * lr if use_nesterov else lr * accum
        return var - step, accum


@register_op("SparseApplyAdagrad")
class SparseApplyAdagrad(_SparseApply):
    """Rows: accum += grad^2; var -= lr * grad / sqrt(accum)."""

    inputs = ("var", "accum", "lr", "grad", "indices")
    ref_inputs = (0, 1)

    @staticmethod
    def rows(refs, grad, lr, **attrs):
        var, accum = refs
        accum = accum + grad * grad
        return var - lr * grad / np.sqrt(accum), accum


@register_op("SparseApplyAdadelta")
class SparseApplyAdadelta(_SparseApply):
    """Rows of ApplyAdadelta (the update scaled by lr)."""

    inputs = ("var", "accum", "accum_update", "lr", "rho", "epsilon", "grad", "indices")
    ref_inputs = (0, 1, 2)

    @staticmethod
    def rows(refs, grad, lr, rho, epsilon, **attrs):
        var, accum, accum_update = refs
        accum = accum * rho + grad * grad * (1 - rho)
        update = np.sqrt(accum_update + epsilon) / np.sqrt(accum + epsilon) * grad
        accum_update = accum_update * rho + update * update * (1 - rho)
        return var - lr * update, accum, accum_update


@register_op("SparseApplyRMSProp")
class SparseApplyRMSProp(_SparseApply):
    """Rows: ms += (g^2 - ms)*(1-rho); mom = mom*momentum + lr*g/sqrt(ms+eps); var -= mom."""

    inputs = ("var", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad", "indices")
    ref_inputs = (0, 1, 2)

    @staticmethod
    def rows(refs, grad, lr, rho, momentum, epsilon, **attrs):
        var, ms, mom = refs
        ms = ms + (grad * grad - ms) * (1 - rho)
        mom = mom * momentum + lr * grad / np.sqrt(ms + epsilon)
        return var - mom, ms, mom


@register_op("SparseApplyCenteredRMSProp")
class SparseApplyCenteredRMSProp(_SparseApply):
    """Rows of ApplyCenteredRMSProp (divides by sqrt(ms - mg^2 + eps))."""

    inputs = ("var", "mg", "ms", "mom", "lr", "rho", "momentum", "epsilon", "grad", "indices")
    ref_inputs = (0, 1, 2, 3)

    @staticmethod
    def rows(refs, grad, lr, rho, momentum, epsilon, **attrs):
        var, mg, ms, mom = refs
        mg = mg + (grad - mg) * (1 - rho)
        ms = ms + (grad * grad - ms) * (1 - rho)
        mom = mom * momentum + lr * grad / np.sqrt(ms - mg * mg + epsilon)
        return var - mom, mg, ms, mom


@register_op("SparseApplyFtrlV2")
class SparseApplyFtrlV2(_SparseApply):
    """Rows of ApplyFtrlV2 (FTRL-proximal with l2 shrinkage)."""

    inputs = ("var", "accum", "linear", "grad", "indices", "lr", "l1", "l2", "l2_shrinkage",
              "lr_power")
    ref_inputs = (0, 1, 2)

    @staticmethod
    def rows(refs, grad, lr, l1, l2, l2_shrinkage, lr_power, **attrs):
        var, accum, linear = refs
        shrunk_grad = grad + 2 * l2_shrinkage * var if l2_shrinkage > 0 else grad
        new_accum = accum + grad * grad
        if lr_power == -0.5:
            new_power, old_power = np.sqrt(new_accum), np.sqrt(accum)
        else:
            new_power, old_power = new_accum ** -lr_power, accum ** -lr_power
        linear = linear + (shrunk_grad - (new_power - old_power) / lr * var)
        quadratic = new_power / lr + 2 * l2
        shrunk = (np.sign(linear) * l1 - linear) / quadratic
        return np.where(np.abs(linear) > l1, shrunk, 0), new_accum, linear


@register_op("SparseApplyProximalGradientDescent")
class SparseApplyProximalGradientDescent(_SparseApply):
    """Rows of ApplyProximalGradientDescent."""

    inputs = ("var", "alpha", "l1", "l2", "grad", "indices")
    ref_inputs = (0,)

    @staticmethod
    def rows(refs, grad, alpha, l1, l2, **attrs):
        prox = refs[0] - alpha * grad
        if l1 > 0:
            return (np.sign(prox) * np.maximum(np.abs(prox) - alpha * l1, 0) / (1 + alpha * l2),)
        return (prox / (1 + alpha * l2),)


def _constructor(op_def):
    def apply(*inputs, use_locking=False, name=None, **attrs):
        return op_def.apply(list(inputs), name=name, use_locking=use_locking, **attrs)

    apply.__doc__ = f"Build a {op_def.op_type} op (inputs: {', '.join(op_def.inputs)})."
    return apply


sparse_apply_momentum = _constructor(SparseApplyMomentum)
sparse_apply_adagrad = _constructor(SparseApplyAdagrad)
sparse_apply_adadelta = _constructor(SparseApplyAdadelta)
sparse_apply_rms_prop = _constructor(SparseApplyRMSProp)
sparse_apply_centered_rms_prop = _constructor(SparseApplyCenteredRMSProp)
sparse_apply_ftrl_v2 = _constructor(SparseApplyFtrlV2)
sparse_apply_proximal_gradient_descent = _constructor(SparseApplyProximalGradientDescent)
