"""Tensor and Operation (the nodes of a graph), their static Spec, and creation sites.

Lives here: `Spec` (dtype, static shape, constant value), the Python operators shared by
Tensor and Variable (they call the public op constructors through `OPERATORS`, a table that
`ops/` fills when it is imported; `EXPORTERS` does the same for export/), `Tensor`,
`Operation`, and the control-flow records `CondBranch` and `WhileFrame` (with
`frame_inputs` / `frame_branch`, which route a forward loop's values into its gradient
loop). The Graph lives in graph.py; creation sites (`user_frame`) in errors.py.
"""

from __future__ import annotations

import linecache
from typing import TYPE_CHECKING, Callable

from . import dtypes as _dtypes
from .errors import describe_site, user_frame
from .shapes import TensorShape, as_shape

__all__ = ["Spec", "Tensor", "Operation", "CondBranch", "WhileFrame", "TensorOperators",
           "OPERATORS", "EXPORTERS", "describe_value", "frame_inputs", "frame_branch"]

# Functions that live above the framework, reached through tables that those layers fill
# when they are imported (the framework imports nothing else of minigraph):
OPERATORS: dict = {}  # by ops/: "add" -> function(x, y), "getitem", "convert_to_tensor", "pack"
EXPORTERS: dict = {}  # by export/graph_def.py: "graph_def", "node_def_text"


def exporter(name: str):
    """The export function `name` registered by minigraph.export (imported with minigraph)."""
    try:
        return EXPORTERS[name]
    except KeyError:
        raise ImportError(f"GraphDef export is not loaded: import minigraph (which imports "
                          f"minigraph.export.graph_def) before calling {name}.") from None


def describe_value(value) -> str:
    """"'name' created at file:line" for a Tensor, Variable or Operation, for error messages."""
    op = value if isinstance(value, Operation) else getattr(value, "op", None)
    return f"'{getattr(op, 'name', value)}' created at {_site_of(value)}"


def _site_of(value) -> str:
    """The creation site of a Tensor's (or Variable's) op, for error messages."""
    op = value if hasattr(value, "creation_site") else getattr(value, "op", None)
    return describe_site(getattr(op, "creation_site", None))


class Spec:
    """What shape inference knows about one tensor: dtype, static shape, constant value."""

    __slots__ = ("dtype", "shape", "value")

    def __init__(self, dtype, shape, value=None):
        self.dtype = dtype if type(dtype) is _dtypes.DType else _dtypes.as_dtype(dtype)
        self.shape = shape if type(shape) is TensorShape else as_shape(shape)
        self.value = value

    def __repr__(self):
        return f"Spec({self.dtype.name}, {self.shape})"


# ---------------------------------------------------------------------------------------
# Tensor and Operation
# ---------------------------------------------------------------------------------------
def _operator(key, reflected=False):
    def method(self, other):
        fn = OPERATORS[key]
        return fn(other, self) if reflected else fn(self, other)

    method.__name__ = key
    return method


class TensorOperators:
    """Python operators shared by Tensor and Variable; each calls a public op constructor."""

    __slots__ = ()
    __array_priority__ = 100

    if TYPE_CHECKING:  # Tensor and Variable define it; the error messages below use it
        @property
        def name(self) -> str: ...
    __array_ufunc__ = None  # numpy defers to our reflected operators

    __add__, __radd__ = _operator("add"), _operator("add", True)
    __sub__, __rsub__ = _operator("sub"), _operator("sub", True)
    __mul__, __rmul__ = _operator("mul"), _operator("mul", True)
    __truediv__, __rtruediv__ = _operator("truediv"), _operator("truediv", True)
    __floordiv__, __rfloordiv__ = _operator("floordiv"), _operator("floordiv", True)
    __mod__, __rmod__ = _operator("mod"), _operator("mod", True)
    __pow__, __rpow__ = _operator("pow"), _operator("pow", True)
    __matmul__, __rmatmul__ = _operator("matmul"), _operator("matmul", True)
    __lt__, __le__ = _operator("less"), _operator("less_equal")
    __gt__, __ge__ = _operator("greater"), _operator("greater_equal")
    __and__, __rand__ = _operator("and"), _operator("and", True)
    __or__, __ror__ = _operator("or"), _operator("or", True)
    __xor__, __rxor__ = _operator("xor"), _operator("xor", True)
    __getitem__ = _operator("getitem")

    def __neg__(self):
        return OPERATORS["neg"](self)

    def __abs__(self):
        return OPERATORS["abs"](self)

    def __invert__(self):
        return OPERATORS["invert"](self)

    # TF1 graph mode refuses these Python protocols: a tensor has no value while building.
    def __bool__(self):
        raise TypeError(f"Using a minigraph Tensor ({self.name}) as a Python `bool` is not "
                        "allowed: its value is only known inside Session.run. Use "
                        "`if t is not None:` to test definedness, and tf.where or tf.cond to "
                        f"branch on values. Tensor created at {_site_of(self)}.")

    def __iter__(self):
        raise TypeError(f"Tensor objects ({self.name}) are not iterable in graph mode: the "
                        "value is only known inside Session.run. Use tf.unstack(t) to split a "
                        f"tensor with a known first dimension. Tensor created at "
                        f"{_site_of(self)}.")

    def __len__(self):
        raise TypeError(f"len is not well defined for a symbolic Tensor ({self.name}). "
                        "Use `t.shape` for the static shape or tf.shape(t) for the run-time "
                        f"shape. Tensor created at {_site_of(self)}.")

    def __array__(self, dtype=None, copy=None):
        raise NotImplementedError(f"Cannot convert a symbolic Tensor ({self.name}) to a numpy "
                                  "array. Fix: fetch its value with sess.run(t) first, or use "
                                  f"the tf.* op instead of np.*. Tensor created at "
                                  f"{_site_of(self)}.")

    def __index__(self):
        raise TypeError(f"A symbolic Tensor ({self.name}) cannot be used as a Python index. "
                        "Fetch its value with sess.run first.")

    __hash__ = object.__hash__


class Tensor(TensorOperators):
    """A symbolic handle on one output of an Operation; it holds no value.

    Example: `tf.constant([1., 2.]).name` -> "Const:0".
    """

    __slots__ = ("_op", "_value_index", "_dtype", "_shape", "_static_value", "_consumers",
                 "__weakref__")

    def __init__(self, op: "Operation", value_index: int, spec: Spec):
        self._op = op
        self._value_index = value_index
        self._dtype = spec.dtype
        self._shape = spec.shape
        self._static_value = spec.value
        self._consumers: list[Operation] = []

    op = property(lambda self: self._op)
    value_index = property(lambda self: self._value_index)
    dtype = property(lambda self: self._dtype)
    graph = property(lambda self: self._op._graph)
    device = property(lambda self: self._op.device)
    shape = property(lambda self: self._shape)

    @property
    def name(self) -> str:
        return f"{self._op.name}:{self._value_index}"

    def get_shape(self) -> TensorShape:
        return self._shape

    def spec(self, as_ref: bool = False) -> Spec:
        """What shape inference knows about this tensor: dtype (the base dtype of a variable
        reference unless `as_ref`), static shape and constant value."""
        dtype = self._dtype if as_ref else self._dtype.base_dtype
        return Spec(dtype, self._shape, self._static_value)

    def set_shape(self, shape) -> None:
        """Refine the static shape; raise ValueError if `shape` contradicts what is known."""
        self._shape = self._shape.merge_with(shape)

    def consumers(self) -> list:
        return list(self._consumers)

    def eval(self, feed_dict=None, session=None):
        """Run this tensor in `session` or the default session and return its value."""
        session = self.graph.session_for(session, "evaluate tensor using `eval()`", self.name)
        return session.run(self, feed_dict)

    def __repr__(self):
        return f"<tf.Tensor '{self.name}' shape={self._shape} dtype={self._dtype.name}>"

    def __str__(self):
        return f'Tensor("{self.name}", shape={self._shape}, dtype={self._dtype.name})'


class CondBranch:
    """One branch of a tf.cond: ops created in it run only when `pred` equals `branch`.

    `outer` is the enclosing CondBranch (nested conds) or None.
    """

    __slots__ = ("pred", "branch", "outer")

    def __init__(self, pred: Tensor, branch: bool, outer: "CondBranch | None"):
        self.pred, self.branch, self.outer = pred, branch, outer

    def guards(self) -> list:
        """[(pred, branch)] of this branch and every enclosing one, outermost first."""
        chain = []
        b: CondBranch | None = self
        while b is not None:
            chain.append((b.pred, b.branch))
            b = b.outer
        return chain[::-1]

    def within(self, other: "CondBranch | None") -> bool:
        """True if this branch is `other` or nested inside it (everything is within None)."""
        b: CondBranch | None = self
        while b is not None:
            if b is other:
                return True
            b = b.outer
        return other is None

    def __repr__(self):
        return f"<CondBranch {self.pred.name} == {self.branch}>"


class WhileFrame:
    """The body of one while loop: the ops created in it run once per iteration.

    The loop is one `While` op in the enclosing graph (or frame); its frame records what the
    runtime needs to compile the body into a sub-plan and what exporters need to draw it:
      name          the loop's scope ("while"), for drawing and export.
      outer         the enclosing WhileFrame (nested loops) or None.
      ops           every op created in this frame (not in frames nested in it).
      loop_vars     the tensors standing for the loop variables inside the body (fed).
      sliced        tensors standing for row `iteration` of a sliced input (fed).
      iteration     int32 scalar: the iteration's index (fed; reversed loops count down).
      cond_output   the bool scalar deciding whether to run the body (None: run `limit` times).
      body_outputs  the next values of the loop variables.
      stacked       body tensors whose values of all iterations are stacked into outputs.
      captures      tensors from outside that the frame reads (inputs of the While op).
      saved         body tensors whose value of every iteration the While op keeps for a
                    gradient loop (appended to while gradients are built).
      forward       for a gradient loop: the frame whose saved values it reads, else None.
      reader        for a gradient loop: reader(t) -> the value of forward tensor `t` at the
                    matching iteration (built by ops/while_loop.py).
    """

    __slots__ = ("name", "outer", "ops", "loop_vars", "sliced", "iteration", "cond_output",
                 "body_outputs", "stacked", "captures", "saved", "forward", "reader",
                 "op", "translated")

    def __init__(self, name: str, outer: "WhileFrame | None"):
        self.name, self.outer = name, outer
        self.ops: list[Operation] = []
        self.loop_vars: list[Tensor] = []
        self.sliced: list[Tensor] = []
        self.iteration: Tensor | None = None
        self.cond_output: Tensor | None = None
        self.body_outputs: list[Tensor] = []
        self.stacked: list[Tensor] = []
        self.captures: list[Tensor] = []
        self.saved: list[Tensor] = []
        self.forward: WhileFrame | None = None
        self.reader: Callable[[Tensor], Tensor] | None = None
        self.op: Operation | None = None
        # forward CondBranch (or forward Tensor) -> the same branch (value) read in this frame
        self.translated: dict = {}

    def within(self, other: "WhileFrame | None") -> bool:
        """True if this frame is `other` or nested inside it (everything is within None)."""
        f: WhileFrame | None = self
        while f is not None:
            if f is other:
                return True
            f = f.outer
        return other is None

    def reader_for(self, frame: "WhileFrame") -> "WhileFrame | None":
        """The gradient frame (this one or an enclosing one) that reads `frame`'s values."""
        f: WhileFrame | None = self
        while f is not None:
            if f.forward is frame:
                return f
            f = f.outer
        return None

    def __repr__(self):
        return f"<WhileFrame {self.name}>"


def frame_inputs(inputs, frame, op_name):
    """`inputs` with each value of another loop's body replaced by its saved value.

    A gradient loop reads the forward loop's values of the matching iteration (TF's stack
    push/pop); any other use of a tensor made inside a loop body from outside it fails.
    """
    result = None
    for i, t in enumerate(inputs):
        source = t._op.loop_frame
        if source is None or (frame is not None and frame.within(source)):
            continue
        reader = frame.reader_for(source) if frame is not None else None
        if reader is None:
            raise ValueError(
                f"Cannot use '{t.name}' as input to '{op_name}' because '{t.name}' is in a "
                "while loop (it has a value only inside one iteration). Fix: return it from "
                "the loop body as a loop variable (or collect it with tf.scan) and use the "
                f"loop's output; used at {describe_site(user_frame())}.")
        if result is None:
            result = list(inputs)
        result[i] = reader.reader(t)
    return inputs if result is None else result


def frame_branch(branch, frame):
    """`branch` as seen from `frame`: a forward loop's tf.cond branch read in its gradient."""
    source = branch.pred._op.loop_frame
    if source is None or frame.within(source):
        return branch
    reader = frame.reader_for(source)
    if reader is None:
        return branch
    if branch not in reader.translated:
        outer = frame_branch(branch.outer, frame) if branch.outer is not None else None
        reader.translated[branch] = CondBranch(reader.reader(branch.pred), branch.branch,
                                               outer)
    return reader.translated[branch]


_NO_OPS: tuple = ()  # the control inputs of most ops (no list per op: memory)


class Operation:
    """A node of the graph: an op type, input tensors, attributes and output tensors."""

    __slots__ = ("_graph", "name", "type", "op_def", "_inputs", "attrs", "_control_inputs",
                 "_outputs", "device", "_id", "creation_site", "cond_context", "loop_frame",
                 "gradient_override", "__weakref__")

    def __init__(self, graph, op_def, name, inputs, attrs, control_inputs, specs, device, site):
        self._graph = graph
        self.name = name
        self.type = op_def.op_type
        self.op_def = op_def
        self._inputs = tuple(inputs)
        self.attrs = attrs
        self._control_inputs = list(control_inputs) if control_inputs else _NO_OPS
        self.device = device
        self.creation_site = site
        self._id = len(graph._ops)
        self._outputs = [Tensor(self, i, s) for i, s in enumerate(specs)]
        self.cond_context = None  # the CondBranch the op was created in (tf.cond), if any
        self.loop_frame = None  # the WhileFrame the op was created in (a loop body), if any
        self.gradient_override = None  # RegisterGradient name from gradient_override_map

    graph = property(lambda self: self._graph)
    inputs = property(lambda self: self._inputs)
    outputs = property(lambda self: list(self._outputs))
    control_inputs = property(lambda self: list(self._control_inputs))

    def values(self) -> tuple:
        return tuple(self._outputs)

    @property
    def traceback(self) -> list:
        """The recorded creation site as [(filename, lineno, name, line)].

        TF1 note: minigraph keeps only the innermost user frame, not the whole stack.
        """
        if self.creation_site is None:
            return []
        filename, lineno = self.creation_site
        return [(filename, lineno, "<module>", linecache.getline(filename, lineno).strip())]

    def get_attr(self, name: str):
        if name == "_gradient_op_type" and self.gradient_override is not None:
            return self.gradient_override.encode()
        if name in self.attrs:
            return self.attrs[name]
        if name in ("T", "dtype") and (self._outputs or self._inputs):
            first = self._outputs[0] if self._outputs else self._inputs[0]
            return first.dtype.base_dtype
        raise ValueError(f"Operation '{self.name}' has no attr named '{name}'.")

    def _add_control_inputs(self, ops) -> None:
        controls = self._control_inputs
        if not isinstance(controls, list):  # the shared empty tuple
            controls = self._control_inputs = []
        for op in ops:
            if op not in controls:
                controls.append(op)

    def run(self, feed_dict=None, session=None) -> None:
        """Run this operation in `session` or the default session."""
        session = self.graph.session_for(session, "execute operation using `run()`",
                                         self.name)
        session.run(self, feed_dict)

    @property
    def node_def(self):
        return exporter("node_def_text")(self)

    def __repr__(self):
        return f"<tf.Operation '{self.name}' type={self.type}>"

    def __str__(self):
        return self.node_def

