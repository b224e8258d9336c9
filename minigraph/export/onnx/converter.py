"""The ONNX converter's machinery: a Converter per graph, its rule table, shared helpers.

Lives here: `Converter` (ONNX nodes and initializers of one graph, the name of each
minigraph tensor there, constants folded at build time added on first use), `Scope` (the
same for a Loop's body graph, which sees its enclosing graph's values by name), `RULES` and
the `rule` decorator that the rule modules fill, and the dtype and value-info helpers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Converter", "Scope", "RULES", "rule", "output", "check_convertible", "folded",
           "elem_type", "value_info", "ONNX_TYPES"]

RULES: dict = {}


def rule(*op_types):
    """Register the decorated function as the ONNX rule of `op_types`."""
    def register(fn):
        for op_type in op_types:
            RULES[op_type] = fn
        return fn
    return register


def output(c, op, name, index=0):
    """Record that output `index` of `op` is ONNX value `name`."""
    c.bind(op.outputs[index], name)


def check_convertible(ops) -> None:
    missing = sorted({op.type for op in ops if op.type not in RULES and not folded(op)})
    if missing:
        names = {t: next(op.name for op in ops if op.type == t) for t in missing}
        raise ValueError("ONNX export has no rule for " + ", ".join(
            f"{t} (node '{n}')" for t, n in names.items()) + ". Fix: export a sub-graph "
            "without these ops (pass the tensors they feed as `inputs`), or add a rule to "
            "RULES (a rule module in minigraph/export/onnx/).")


def folded(op) -> bool:
    """True if every output of `op` is a build-time constant (exported as an initializer)."""
    return bool(op.outputs) and op.type not in ("VariableV2", "Placeholder") and all(
        Converter.known_value(t) is not None for t in op.outputs)


def elem_type(dtype) -> int:
    from onnx import TensorProto  # optional extra (onnx): imported on use, never by the core

    return getattr(TensorProto, ONNX_TYPES[dtype.base_dtype.name])


def value_info(helper, t, name=None):
    elem = elem_type(t.dtype)
    shape = None if t.shape.ndims is None else t.shape.as_list()  # None: a free dimension
    return helper.make_tensor_value_info(name or t.name, elem, shape)


ONNX_TYPES = {"float32": "FLOAT", "float64": "DOUBLE", "float16": "FLOAT16", "int32": "INT32",
               "int64": "INT64", "int8": "INT8", "int16": "INT16", "uint8": "UINT8",
               "bool": "BOOL", "string": "STRING", "uint16": "UINT16", "uint32": "UINT32",
               "uint64": "UINT64"}


class Converter:
    """Accumulates ONNX nodes and initializers; maps minigraph tensors to ONNX names."""

    def __init__(self, sess, helper, numpy_helper, inputs):
        self.sess, self.helper, self.numpy_helper = sess, helper, numpy_helper
        self.nodes, self.initializers = [], []
        self._names = {t: t.name for t in inputs}
        self._lazy = {}  # tensor -> value of build-time constants not yet needed by name
        self._count = 0

    def name(self, t) -> str:
        if t not in self._names and t in self._lazy:  # a constant, added on first use
            self._names[t] = self.constant(self._lazy.pop(t), t.op.name)
        return self._names[t]

    def bind(self, t, name: str) -> None:
        self._names[t] = name

    def fresh(self, hint: str) -> str:
        self._count += 1
        return f"{hint}__{self._count}"

    def node(self, op_type: str, inputs: list, hint: str, n_out: int = 1, **attrs):
        """Add one ONNX node; return its output name (or names, when n_out > 1)."""
        outs = [self.fresh(hint) for _ in range(n_out)]
        self.nodes.append(self.helper.make_node(op_type, inputs, outs, **attrs))
        return outs[0] if n_out == 1 else outs

    def constant(self, value, hint: str) -> str:
        """An initializer holding `value` (numpy); return its name."""
        name = self.fresh(hint)
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value), name))
        return name

    def convert(self, op) -> None:
        if folded(op):
            for t in op.outputs:  # folded at build time: a constant, whatever computed it
                self._lazy[t] = self.known_value(t)
            return
        RULES[op.type](self, op)

    @staticmethod
    def known_value(t):
        """The build-time constant value of `t` (numpy), or None if computed at run time."""
        value = t._static_value
        if value is None or (isinstance(value, np.ndarray) and value.dtype == object):
            return None
        return np.asarray(value, dtype=t.dtype.base_dtype.as_numpy_dtype)

    def static(self, t, what: str):
        """The build-time constant value of `t`; a clear error if it is computed at run time."""
        value = self.known_value(t)
        if value is None:
            raise ValueError(f"ONNX export needs {what} of '{t.op.name}' ({t.op.type}) to be a "
                             f"constant, but '{t.name}' is computed at run time.")
        return value

    def ints(self, values, hint: str) -> str:
        return self.constant(np.asarray(values, np.int64), hint)

    def inputs(self, op) -> list:
        return [self.name(t) for t in op.inputs]

    def run_value(self, t):
        return self.sess.run(t)


class Scope(Converter):
    """A converter for a Loop body: its own nodes and names; other values come from the
    enclosing graph by name (ONNX subgraphs see outer values); constants are nodes."""

    def __init__(self, parent, names: dict):
        super().__init__(parent.sess, parent.helper, parent.numpy_helper, [])
        self.parent = parent
        self._names.update(names)

    def fresh(self, hint: str) -> str:
        return self.parent.fresh(hint)  # one counter per model: names never collide

    def name(self, t) -> str:
        if t in self._names or t in self._lazy:
            return super().name(t)
        return self.parent.name(t)

    def constant(self, value, hint: str) -> str:
        name = self.fresh(hint)
        self.nodes.append(self.helper.make_node(
            "Constant", [], [name], value=self.numpy_helper.from_array(np.asarray(value))))
        return name
