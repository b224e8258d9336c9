"""OpDef, the base class of every primitive op, and the read-only op table.

Lives here: `register_op`, the table `OP_TABLE` (op type -> OpDef class), and `OpDef.apply`,
which converts Python operands to tensors (named after the op's input arguments, inside the
op's own scope, as TF does), asks `infer` for static output specs and adds the node.
Op families live in `ops/`; this file defines none.
"""

from __future__ import annotations

import contextlib
import types

from . import dtypes as _dtypes
from .errors import describe_node, describe_site, user_frame
from .graph import get_default_graph, graph_of
from .tensor import OPERATORS, Operation, Spec, Tensor

__all__ = ["OpDef", "register_op", "OP_TABLE", "Spec", "no_gradient", "ALL_INPUTS",
           "RegisterGradient", "NotDifferentiable", "gradient_function"]


class _AllInputs:
    """`ref_inputs = ALL_INPUTS`: every input of a variadic op is a variable reference."""

    def __contains__(self, index):
        return True

    def __iter__(self):
        return iter(())

    def __repr__(self):
        return "ALL_INPUTS"


ALL_INPUTS = _AllInputs()

_OPS: dict = {}
OP_TABLE = types.MappingProxyType(_OPS)


def register_op(op_type: str):
    """Class decorator: register an OpDef subclass under TF's op-type string."""

    def decorate(cls):
        if op_type in _OPS:
            raise ValueError(f"Op type '{op_type}' is registered twice ({_OPS[op_type]} and "
                             f"{cls}). Each op type must be defined in exactly one block.")
        cls.op_type = op_type
        if "default_name" not in cls.__dict__:
            cls.default_name = op_type
        _OPS[op_type] = cls
        return cls

    return decorate


_GRADIENTS: dict = {}  # names given to tf.RegisterGradient -> gradient function (or None)


class RegisterGradient:
    """Decorator: register a gradient function under `name`, for gradient_override_map.

    Example:
        @tf.RegisterGradient("ClippedSquare")
        def _(op, grad): return tf.clip_by_value(grad * 2 * op.inputs[0], -1., 1.)
        with tf.get_default_graph().gradient_override_map({"Square": "ClippedSquare"}): ...
    """

    def __init__(self, op_type: str):
        if not isinstance(op_type, str):
            raise TypeError("op_type must be a string")
        self._op_type = op_type

    def __call__(self, fn):
        if self._op_type in _GRADIENTS or (self._op_type in _OPS and
                                           hasattr(_OPS[self._op_type], "gradient")):
            raise KeyError(f"Registering two gradient with name '{self._op_type}'! Fix: "
                           "pick a new name and map the op type to it with "
                           "Graph.gradient_override_map.")
        _GRADIENTS[self._op_type] = fn
        return fn


def NotDifferentiable(op_type: str) -> None:  # noqa: N802 - TF's public name
    """Declare that ops mapped to `op_type` pass no gradient (tf.NotDifferentiable)."""
    if op_type in _GRADIENTS:
        raise KeyError(f"Registering two gradient with name '{op_type}'!")
    _GRADIENTS[op_type] = None


def gradient_function(op):
    """The gradient function of `op`: its override (gradient_override_map) if any, else its
    OpDef's. None means "no gradient flows"; an op type with neither raises LookupError."""
    name = op.gradient_override
    if name is not None:
        if name not in _GRADIENTS:
            raise LookupError(f"No gradient registered under '{name}' (mapped from op type "
                              f"'{op.type}' of '{op.name}' by gradient_override_map). Fix: "
                              f"decorate a function with @tf.RegisterGradient('{name}').")
        return _GRADIENTS[name]
    if not hasattr(op.op_def, "gradient"):
        raise LookupError(f"No gradient defined for operation '{op.name}' (op type: "
                          f"{op.type}). Fix: wrap its output in tf.stop_gradient if no "
                          "gradient should flow through it, or add a `gradient` to its OpDef "
                          f"in minigraph/ops/. Node: {describe_node(op)}.")
    return op.op_def.gradient


def no_gradient(op, *grads):
    """Marker: the op is not differentiable; no gradient flows to any input."""
    return [None] * len(op.inputs)


class OpDef:
    """Base class of primitive ops: `infer`, `compute`, `gradient`, as classes of statics.

    Class attributes a subclass may set:
      inputs        names of the input arguments ("x", "y"); helper constants are named so.
      input_types   one entry per input: a group label such as "T" (inputs sharing a label
                    must share a dtype; Python operands take the tensor operand's dtype), or
                    a dtype name used to convert Python values ("int32").
      ref_inputs    indices of inputs that receive a variable reference, not its value.
      writes_ref    True if the kernel writes the variable behind its ref input(s).
      forwards_alias  True for Identity: a variable read flows through it unevaluated.
      uses_context  True if `compute(ctx, op, *arrays, **attrs)` needs the run context.
      stateful      True if two runs with equal inputs may differ (random, assign, print).
      returns_ref   True if output 0 is the variable behind ref input 0, as TF's
                    `output_ref` (ScatterAdd, SparseApply*): consumers read the variable
                    after the update; the kernel returns nothing, so an update of a few
                    rows never copies the whole variable.
      selects_branch  True for Merge: inputs (true_value, false_value, pred); the plan emits
                    `t if pred else f`, reading only the value of the tf.cond branch taken.
      list_output   True if an attribute sets the number of outputs (Split, Unpack): `infer`
                    and `compute` return sequences and `apply` a list, even of one or no
                    tensors. Otherwise one output is a bare Spec / array / Tensor.

      elementwise   the formula of one element, for fusing chains of elementwise ops into
                    one loop (runtime/fusion.py): an expression over the input names in the
                    order the kernel computes ("x + y"), so the fused loop gives the same bits;
                    numeric literals take the op's dtype, `T(v)` converts to it, `sqrt`,
                    `abs`, `floor` and `ceil` may be called. An update op gives (target,
                    expression) lines, a target named after a ref input being its new
                    value. May be a static method of the op returning either, or None where
                    the op cannot fuse.
                    None (the default): the op is never fused.

    Static method a block may add:
      lower(op, exporter)  for an op TensorFlow has no node for (or one whose TF node differs):
                    emits the TF nodes that compute the same thing at GraphDef export and
                    returns (name, dtype) of each output (export/lowering.py).
    """

    op_type = "?"
    default_name = "?"
    inputs: tuple = ()
    input_types = None
    ref_inputs: tuple = ()
    writes_ref = False
    forwards_alias = False
    uses_context = False
    stateful = False
    selects_branch = False
    list_output = False
    returns_ref = False
    elementwise = None

    @staticmethod
    def infer(*specs, **attrs):
        raise NotImplementedError("An op block must define infer(*specs, **attrs) returning "
                                  "its output Spec(s); see docs/adding_an_op.md.")

    @staticmethod
    def compute(*arrays, **attrs):
        raise NotImplementedError("An op block must define compute(*arrays, **attrs), its "
                                  "numpy kernel; see docs/adding_an_op.md.")

    @staticmethod
    def forwards_input(inputs, output, attrs):
        """Index of an input this op returns unchanged at these specs (else None).

        Plans skip such ops at run time, e.g. a Reshape to the shape its input already has.
        `inputs` and `output` are the Specs after shape specialisation.
        """
        return None

    # `gradient(op, *grads)` is deliberately absent here: an op without it raises LookupError
    # in gradients(); a non-differentiable op sets `gradient = no_gradient`.

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def apply(cls, inputs, name=None, **attrs):
        """Create the op in the right graph; return its output Tensor(s), or the Operation."""
        inputs = list(inputs)
        if all(type(x) is Tensor for x in inputs):
            graph = graph_of(inputs)
            op = graph.create_op(cls, inputs, attrs, name or cls.default_name)
        else:
            graph = graph_of(inputs)
            ctx = (graph.as_default() if graph is not get_default_graph()
                   else contextlib.nullcontext())
            with ctx, graph.name_scope(name or cls.default_name) as scope:
                tensors = cls._convert_inputs(inputs, scope)
                op = graph.create_op(cls, tensors, attrs, scope)
        outputs = op._outputs
        if cls.list_output:
            return list(outputs)
        if len(outputs) == 1:
            return outputs[0]
        return op if not outputs else list(outputs)

    @classmethod
    def _convert_inputs(cls, inputs, scope=""):
        convert_to_tensor = OPERATORS["convert_to_tensor"]  # ops/constant_op.py fills it
        kinds = cls.input_types or ("T",) * len(inputs)
        group_dtype = {}
        for i, x in enumerate(inputs):
            label = kinds[i] if i < len(kinds) else None
            t = _as_tensor_if_graph_value(x, as_ref=i in cls.ref_inputs)
            if t is not None and label is not None and label not in group_dtype:
                group_dtype[label] = t.dtype.base_dtype
        result = []
        for i, x in enumerate(inputs):
            label = kinds[i] if i < len(kinds) else None
            t = _as_tensor_if_graph_value(x, as_ref=i in cls.ref_inputs)
            if t is None:
                arg = cls.inputs[i] if i < len(cls.inputs) else f"input_{i}"
                dtype = group_dtype.get(label) if label is not None else None
                if dtype is None and label is not None and label in _dtypes._BY_NAME:
                    dtype = _dtypes.as_dtype(label)
                try:
                    t = convert_to_tensor(x, dtype=dtype, name=arg)
                except TypeError as e:
                    raise TypeError(f"Expected {dtype.name if dtype else 'a tensor'} passed to "
                                    f"parameter '{arg}' of op '{cls.op_type}', got {x!r} of "
                                    f"type '{type(x).__name__}' instead. ({e}) In node "
                                    f"'{scope.rstrip('/')}' ({cls.op_type}).") from None
                if label is not None and label not in group_dtype:
                    group_dtype[label] = t.dtype
            result.append(t)
        return result

    @classmethod
    def output_specs(cls, inputs, attrs, op_name, site):
        """Ask `infer` for the output specs; re-raise its errors naming the node and site."""
        specs = [t.spec(as_ref=i in cls.ref_inputs) for i, t in enumerate(inputs)]
        try:
            out = cls.infer(*specs, **attrs)
        except (ValueError, TypeError) as e:
            shapes = ", ".join(s.shape._bracket() for s in specs)
            raise type(e)(f"{e}\n  In node '{op_name}' ({cls.op_type}) with input shapes: "
                          f"{shapes}, created at {describe_site(site)}.") from None
        return [out] if isinstance(out, Spec) else list(out)

    @classmethod
    def results(cls, op: Operation, value) -> list:
        """The list of output values in what `compute` returned for `op`."""
        return [value] if len(op._outputs) == 1 and not cls.list_output else list(value)


def _as_tensor_if_graph_value(x, as_ref=False):
    """Return `x` as a Tensor if it already is a graph value (Tensor or Variable), else None."""
    if isinstance(x, Tensor):
        return x
    if hasattr(x, "_as_graph_element"):
        return x._ref() if as_ref and hasattr(x, "_ref") else x.value()
    if isinstance(x, Operation):
        raise TypeError(f"Can't convert Operation '{x.name}' to Tensor: an Operation has no "
                        "value. Fix: pass one of its outputs (op.outputs[0]) instead, or use it "
                        f"in tf.control_dependencies. Operation {describe_node(x)}; used at "
                        f"{describe_site(user_frame())}.")
    return None
