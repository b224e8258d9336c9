"""The concrete TF1 optimizers: each fills the base class's hooks in a few lines.

Lives here: GradientDescent, Momentum, Adam, Adagrad, Adadelta, RMSProp, Ftrl and
ProximalGradientDescent (their formulas: docs/optimizers.md). Each dense update rule is one
fused op from ops/training_ops.py, whose kernel holds the formula; each sparse rule (for an
IndexedSlices gradient, duplicates already summed) is TF1's: a SparseApply* op from
ops/sparse_training_ops.py, a ScatterSub for GradientDescent, and for Adam TF1's non-lazy
rule (all of m and v decay, the gradient rows are added with ScatterAdd, every row of the
variable moves). BERT's AdamWeightDecayOptimizer,
which is not TF API and is built from ordinary ops, lives in adam_weight_decay.py.
"""

from __future__ import annotations

from ..framework.errors import describe_caller
from ..ops import control_flow_ops, math_ops, scatter_ops, state_ops, unary_ops
from ..ops import sparse_training_ops as sparse_ops
from ..ops import training_ops as ops
from ..ops.constant_op import convert_to_tensor
from .optimizer import Optimizer

__all__ = ["GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer",
           "AdagradOptimizer", "AdadeltaOptimizer", "RMSPropOptimizer", "FtrlOptimizer",
           "ProximalGradientDescentOptimizer"]


class GradientDescentOptimizer(Optimizer):
    """var -= learning_rate * grad.  Example: `tf.train.GradientDescentOptimizer(0.1)`."""

    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        super().__init__(use_locking, name)
        self._set_hyper(learning_rate=learning_rate)

    def _apply_dense(self, grad, var):
        return ops.apply_gradient_descent(var, self._hyper("learning_rate", var), grad,
                                          use_locking=self._use_locking).op

    def _apply_sparse_duplicate_indices(self, grad, var):
        # TF1: no summing of duplicates; ScatterSub subtracts every row in turn.
        delta = grad.values * self._hyper("learning_rate", var)
        return scatter_ops.scatter_sub(var, grad.indices, delta,
                                       use_locking=self._use_locking).op


class MomentumOptimizer(Optimizer):
    """accum = momentum * accum + grad; var -= lr * accum (Nesterov: lr*grad + lr*momentum*accum).

    Example: `tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True)`.
    """

    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        super().__init__(use_locking, name)
        self._set_hyper(learning_rate=learning_rate, momentum=momentum)
        self._use_nesterov = use_nesterov

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad, var):
        return ops.apply_momentum(
            var, self.get_slot(var, "momentum"), self._hyper("learning_rate", var), grad,
            self._hyper("momentum", var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op

    def _apply_sparse(self, grad, var):
        return sparse_ops.sparse_apply_momentum(
            var, self.get_slot(var, "momentum"), self._hyper("learning_rate", var), grad.values,
            grad.indices, self._hyper("momentum", var), use_locking=self._use_locking,
            use_nesterov=self._use_nesterov).op


class AdamOptimizer(Optimizer):
    """Adam with bias correction folded into the step size (TF's epsilon-hat form).

    lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t); var -= lr_t * m / (sqrt(v) + epsilon).
    Example: `tf.train.AdamOptimizer(0.001).minimize(loss)`.
    """

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08,
                 use_locking=False, name="Adam"):
        super().__init__(use_locking, name)
        self._set_hyper(learning_rate=learning_rate, beta1=beta1, beta2=beta2, epsilon=epsilon)
        self._beta1, self._beta2 = beta1, beta2

    def _get_beta_accumulators(self, graph=None):
        return (self._get_non_slot_variable("beta1_power", graph),
                self._get_non_slot_variable("beta2_power", graph))

    def _create_slots(self, var_list):
        graph = var_list[0].graph
        # float32 from the Python floats, even for float64 variables (TF 1.x does the same).
        self._create_non_slot_variable(self._beta1, "beta1_power", graph)
        self._create_non_slot_variable(self._beta2, "beta2_power", graph)
        for v in var_list:
            self._zeros_slot(v, "m", self._name)
            self._zeros_slot(v, "v", self._name)

    def _apply_dense(self, grad, var):
        beta1_power, beta2_power = self._get_beta_accumulators(var.graph)
        cast = self._cast
        return ops.apply_adam(
            var, self.get_slot(var, "m"), self.get_slot(var, "v"), cast(beta1_power, var),
            cast(beta2_power, var), self._hyper("learning_rate", var),
            self._hyper("beta1", var), self._hyper("beta2", var), self._hyper("epsilon", var),
            grad, use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        """TF1's non-lazy sparse Adam: m and v decay everywhere, the rows are added, and
        var -= lr_t * m / (sqrt(v) + epsilon) over the whole variable."""
        beta1_power, beta2_power = (self._cast(p, var)
                                    for p in self._get_beta_accumulators(var.graph))
        beta1, beta2 = self._hyper("beta1", var), self._hyper("beta2", var)
        lr = self._hyper("learning_rate", var) * unary_ops.sqrt(1 - beta2_power) / \
            (1 - beta1_power)
        m, v, graph = self.get_slot(var, "m"), self.get_slot(var, "v"), var.graph
        m_decayed = state_ops.assign(m, m * beta1, use_locking=self._use_locking)
        with graph.control_dependencies([m_decayed]):
            m_t = scatter_ops.scatter_add(m, grad.indices, grad.values * (1 - beta1),
                                          use_locking=self._use_locking)
        v_decayed = state_ops.assign(v, v * beta2, use_locking=self._use_locking)
        with graph.control_dependencies([v_decayed]):
            v_t = scatter_ops.scatter_add(v, grad.indices, (grad.values * grad.values) *
                                          (1 - beta2), use_locking=self._use_locking)
        step = lr * m_t / (unary_ops.sqrt(v_t) + self._hyper("epsilon", var))
        var_update = state_ops.assign_sub(var, step, use_locking=self._use_locking)
        return control_flow_ops.group(var_update, m_t, v_t)

    def _finish(self, update_ops, name_scope):
        # The beta powers advance once per apply, after every variable has been updated.
        beta1_power, beta2_power = self._get_beta_accumulators(update_ops[0].graph)
        with update_ops[0].graph.control_dependencies(update_ops):
            new_beta1 = beta1_power.assign(beta1_power * self._hyper("beta1"),
                                           use_locking=self._use_locking)
            new_beta2 = beta2_power.assign(beta2_power * self._hyper("beta2"),
                                           use_locking=self._use_locking)
        return control_flow_ops.group(*update_ops, new_beta1, new_beta2, name=name_scope)


class AdagradOptimizer(Optimizer):
    """accum += grad^2; var -= lr * grad / sqrt(accum).  Example: `AdagradOptimizer(0.1)`."""

    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        if initial_accumulator_value <= 0.0:
            raise ValueError(f"initial_accumulator_value must be positive: "
                             f"{initial_accumulator_value}. Fix: pass a small positive value "
                             f"such as the default 0.1; given at {describe_caller()}.")
        super().__init__(use_locking, name)
        self._set_hyper(learning_rate=learning_rate)
        self._initial_accumulator_value = initial_accumulator_value

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, self._initial_accumulator_value, "accumulator", self._name)

    def _apply_dense(self, grad, var):
        return ops.apply_adagrad(var, self.get_slot(var, "accumulator"),
                                 self._hyper("learning_rate", var), grad,
                                 use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return sparse_ops.sparse_apply_adagrad(
            var, self.get_slot(var, "accumulator"), self._hyper("learning_rate", var),
            grad.values, grad.indices, use_locking=self._use_locking).op


class AdadeltaOptimizer(Optimizer):
    """Adadelta; TF scales the step by learning_rate (1.0 gives the paper's rule)."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-08, use_locking=False,
                 name="Adadelta"):
        super().__init__(use_locking, name)
        self._set_hyper(lr=learning_rate, rho=rho, epsilon=epsilon)

    def _create_slots(self, var_list):
        for v in var_list:
            self._zeros_slot(v, "accum", self._name)
            self._zeros_slot(v, "accum_update", self._name)

    def _apply_dense(self, grad, var):
        return ops.apply_adadelta(
            var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
            self._hyper("lr", var), self._hyper("rho", var), self._hyper("epsilon", var), grad,
            use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        return sparse_ops.sparse_apply_adadelta(
            var, self.get_slot(var, "accum"), self.get_slot(var, "accum_update"),
            self._hyper("lr", var), self._hyper("rho", var), self._hyper("epsilon", var),
            grad.values, grad.indices, use_locking=self._use_locking).op


class RMSPropOptimizer(Optimizer):
    """RMSProp with momentum; the `rms` slot starts at 1.0, as in TF (not 0 as in Keras).

    Example: `tf.train.RMSPropOptimizer(0.01, momentum=0.9, centered=True)`.
    """

    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10,
                 use_locking=False, centered=False, name="RMSProp"):
        super().__init__(use_locking, name)
        self._set_hyper(learning_rate=learning_rate, decay=decay, momentum=momentum,
                        epsilon=epsilon)
        self._centered = centered

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, 1.0, "rms", self._name)
            if self._centered:
                self._zeros_slot(v, "mg", self._name)
            self._zeros_slot(v, "momentum", self._name)

    def _apply_dense(self, grad, var):
        hyper = [self._hyper(k, var) for k in ("learning_rate", "decay", "momentum", "epsilon")]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return ops.apply_centered_rms_prop(var, self.get_slot(var, "mg"), rms, mom, *hyper,
                                               grad, use_locking=self._use_locking).op
        return ops.apply_rms_prop(var, rms, mom, *hyper, grad,
                                  use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        hyper = [self._hyper(k, var) for k in ("learning_rate", "decay", "momentum", "epsilon")]
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        if self._centered:
            return sparse_ops.sparse_apply_centered_rms_prop(
                var, self.get_slot(var, "mg"), rms, mom, *hyper, grad.values, grad.indices,
                use_locking=self._use_locking).op
        return sparse_ops.sparse_apply_rms_prop(var, rms, mom, *hyper, grad.values,
                                                grad.indices, use_locking=self._use_locking).op


class FtrlOptimizer(Optimizer):
    """FTRL-proximal (McMahan et al.), with optional l2 shrinkage and beta.

    TF1 note: minigraph always uses the ApplyFtrlV2 kernel; with l2 shrinkage 0 it computes
    exactly what ApplyFtrl does.
    """

    def __init__(self, learning_rate, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 use_locking=False, name="Ftrl", accum_name=None, linear_name=None,
                 l2_shrinkage_regularization_strength=0.0, beta=None):
        super().__init__(use_locking, name)
        _check_at_least(0.0, initial_accumulator_value=initial_accumulator_value,
                        l1_regularization_strength=l1_regularization_strength,
                        l2_regularization_strength=l2_regularization_strength,
                        l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength)
        if learning_rate_power > 0.0:
            raise ValueError(f"learning_rate_power {learning_rate_power} needs to be negative "
                             "or zero. Fix: use the default -0.5 (or 0.0 for a fixed rate); "
                             f"given at {describe_caller()}.")
        self._set_hyper(learning_rate=learning_rate,
                        l1_regularization_strength=l1_regularization_strength,
                        l2_regularization_strength=_ftrl_l2(
                            learning_rate, l2_regularization_strength, beta or 0.0),
                        l2_shrinkage_regularization_strength=l2_shrinkage_regularization_strength,
                        learning_rate_power=learning_rate_power)
        self._initial_accumulator_value = initial_accumulator_value
        self._accum_name, self._linear_name = accum_name or name, linear_name or name

    def _prepare(self):
        super()._prepare()
        lr = self._hyper("learning_rate")
        if not lr.dtype.is_floating:  # TF fails too, in Maximum(learning_rate, 1e-36)
            raise TypeError(f"FtrlOptimizer: learning_rate must be a floating-point value, got "
                            f"{lr.dtype.base_dtype.name}. Fix: write 1.0 instead of 1, or "
                            f"tf.cast the tensor to a float dtype; minimize called at "
                            f"{describe_caller()}.")

    def _create_slots(self, var_list):
        for v in var_list:
            self._constant_slot(v, self._initial_accumulator_value, "accum", self._accum_name)
            self._zeros_slot(v, "linear", self._linear_name)

    def _apply_dense(self, grad, var):
        hyper = [self._hyper(k, var) for k in (
            "learning_rate", "l1_regularization_strength", "l2_regularization_strength",
            "l2_shrinkage_regularization_strength", "learning_rate_power")]
        return ops.apply_ftrl_v2(var, self.get_slot(var, "accum"), self.get_slot(var, "linear"),
                                 grad, *hyper, use_locking=self._use_locking).op

    def _apply_sparse(self, grad, var):
        hyper = [self._hyper(k, var) for k in (
            "learning_rate", "l1_regularization_strength", "l2_regularization_strength",
            "l2_shrinkage_regularization_strength", "learning_rate_power")]
        return sparse_ops.sparse_apply_ftrl_v2(
            var, self.get_slot(var, "accum"), self.get_slot(var, "linear"), grad.values,
            grad.indices, *hyper, use_locking=self._use_locking).op


class ProximalGradientDescentOptimizer(Optimizer):
    """prox = var - lr*grad; var = sign(prox)/(1 + lr*l2) * max(|prox| - lr*l1, 0)."""

    def __init__(self, learning_rate, l1_regularization_strength=0.0,
                 l2_regularization_strength=0.0, use_locking=False,
                 name="ProximalGradientDescent"):
        super().__init__(use_locking, name)
        self._set_hyper(learning_rate=learning_rate,
                        l1_regularization_strength=l1_regularization_strength,
                        l2_regularization_strength=l2_regularization_strength)

    def _apply_dense(self, grad, var):
        hyper = [self._exact_hyper(key, arg, var) for key, arg in (
            ("learning_rate", "alpha"), ("l1_regularization_strength", "l1"),
            ("l2_regularization_strength", "l2"))]
        return ops.apply_proximal_gradient_descent(var, *hyper, grad,
                                                   use_locking=self._use_locking).op

    def _exact_hyper(self, key, arg, var):
        """TF passes these uncast: a tensor or numpy value must have the variable's dtype.

        TF1 note: a Python float adapts to the variable's dtype here (TF makes it float32,
        which fails for a float64 variable).
        """
        value = self._hyper(key)
        if type(self._hyper_values[key]) is float or value.dtype.base_dtype == var.dtype.base_dtype:
            return self._hyper(key, var)
        raise TypeError(f"Input '{arg}' of 'ApplyProximalGradientDescent' Op has type "
                        f"{value.dtype.base_dtype.name} that does not match type "
                        f"{var.dtype.base_dtype.name} of argument 'var'. Fix: pass {key} as a "
                        f"Python float or a {var.dtype.base_dtype.name} tensor; minimize called "
                        f"at {describe_caller()}.")

    def _apply_sparse(self, grad, var):
        return sparse_ops.sparse_apply_proximal_gradient_descent(
            var, self._hyper("learning_rate", var), self._hyper("l1_regularization_strength", var),
            self._hyper("l2_regularization_strength", var), grad.values, grad.indices,
            use_locking=self._use_locking).op


def _check_at_least(bound, **values):
    for key, value in values.items():
        if value < bound:
            raise ValueError(f"{key} {value} needs to be positive or zero. Fix: pass a value "
                             f">= 0 (0.0 turns it off); given at {describe_caller()}.")


def _ftrl_l2(learning_rate, l2, beta):
    """The effective l2 strength, l2 + beta / (2 * max(lr, 1e-36)), as TF's FTRL."""
    if not beta:
        return l2
    if isinstance(learning_rate, (int, float)) and isinstance(l2, (int, float)):
        return l2 + beta / (2.0 * max(learning_rate, 1e-36))

    def adjusted():
        lr = convert_to_tensor(learning_rate() if callable(learning_rate) else learning_rate)
        return l2 + beta / (2.0 * math_ops.maximum(lr, 1e-36))

    return adjusted
