"""Fused kernels: one group of elementwise steps written as a loop and compiled by numba.

Lives here: what an op contributes to a loop (`formula`, from its block's `elementwise`),
the source of a group's loop and of the Python function the plan calls around it
(`_Writer`: reading and writing variables, allocating outputs, the fallback to the members'
own kernels), and compiling it (`compile_group`, with numba, an optional extra; loops are
kept on disk in `cache_dir()`). Which steps form a group, and the fused plan, are decided
in fusion.py; docs/performance.md shows a fused plan and how to read it.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import sys
import tempfile
import warnings
from typing import Any

import numpy as np

from . import codegen

__all__ = ["available", "numba_module", "cache_dir", "formula", "arg_tensors", "input_kind",
           "FusedKernel", "compile_group"]

# Functions a formula may call: exact (or correctly rounded) in numba as in numpy.
_FUNCTIONS = {"sqrt": "np.sqrt", "abs": "abs", "floor": "np.floor", "ceil": "np.ceil"}
_numba: Any = None  # the module once imported, False if it is not installed


def available() -> bool:
    """Is the accelerator (numba) installed? (Found without importing it: that takes
    0.2 s, paid only when a plan is first fused.)"""
    return _numba is not False and (
        _numba is not None or importlib.util.find_spec("numba") is not None)


def numba_module():
    """numba, imported on first use; None when it is absent or fails to import (e.g. built
    for another numpy): plans then stay unfused."""
    global _numba
    if _numba is None:
        try:
            import numba  # noqa: PLC0415 - optional extra (fast): imported when first needed
        except Exception:  # noqa: BLE001 - a broken optional extra must not break a run
            _numba = False
        else:
            _numba = numba
    return _numba or None


def cache_dir() -> str | None:
    """Where compiled loops are kept between processes (None: nowhere writable)."""
    base = os.environ.get("MINIGRAPH_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "minigraph")
    path = os.path.join(base, "fused")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None


# -- what an op contributes ---------------------------------------------------------------
def formula(op):
    """The op's formula as lines [(target, expression)], or None if it cannot be fused.

    An op block's `elementwise` is an expression over its input names (one output), a
    tuple of (target, expression) lines (an update op: a target named after a ref input is
    that variable's new value, and the op's output is the new value of input 0), or a
    static method of the op returning either (or None).
    """
    spec = op.op_def.elementwise
    if spec is None:
        return None
    if callable(spec):
        spec = spec(op)
        if spec is None:
            return None
    if isinstance(spec, str):
        return [("out", spec)]
    return list(spec)


def _input_names(op) -> list:
    names = list(op.op_def.inputs)
    if len(names) != len(op._inputs):  # variadic (AddN): x0, x1, ...
        names = [f"x{i}" for i in range(len(op._inputs))]
    return names


def _compute_dtype(op, specs):
    """The dtype literals of the op's formula take: its output's, or its first float input's
    for ops returning bool (comparisons)."""
    for t in (*op._outputs, *op._inputs):
        dtype = specs[t].dtype.base_dtype if t in specs else t.dtype.base_dtype
        if dtype.name != "bool":
            return dtype.name
    return "bool"


class _Rewrite(ast.NodeTransformer):
    """Rename a formula's names to loop variables; literals become the compute dtype."""

    def __init__(self, names: dict, dtype: str):
        self.names, self.dtype = names, dtype

    def visit_Name(self, node):  # noqa: N802 - ast's method name
        if node.id == "T":
            return ast.parse(f"np.{self.dtype}", mode="eval").body
        if node.id in _FUNCTIONS:
            return ast.parse(_FUNCTIONS[node.id], mode="eval").body
        if node.id not in self.names:
            raise KeyError(node.id)
        return ast.Name(self.names[node.id], ast.Load())

    def visit_Constant(self, node):  # noqa: N802
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            return node
        return ast.Call(ast.parse(f"np.{self.dtype}", mode="eval").body, [node], [])


def _rewrite(expression: str, names: dict, dtype: str) -> str:
    tree = _Rewrite(names, dtype).visit(ast.parse(expression, mode="eval"))
    return ast.unparse(ast.fix_missing_locations(tree))


def arg_tensors(step):
    """(argument expression, input tensor or None for a ref) of a step's op inputs."""
    op = step.op
    args = step.args[2:] if op.op_def.uses_context else step.args
    refs = op.op_def.ref_inputs
    return [(a, None if i in refs else t) for i, (a, t) in enumerate(zip(args, op._inputs))]


def input_kind(shape: tuple, loop: tuple) -> str | None:
    """How an input of `shape` is read in a loop over `loop`: per element ("full"), once
    ("scalar"), per position in the trailing dimensions ("inner"), or not at all (None)."""
    if int(np.prod(shape)) == 1:  # also a 0-d value: it may be a numpy scalar
        return "scalar"
    if shape == loop:
        return "full"
    trimmed = list(shape)
    while trimmed and trimmed[0] == 1:
        trimmed.pop(0)
    if trimmed and len(trimmed) < len(loop) and tuple(trimmed) == loop[len(loop) - len(trimmed):]:
        return "inner"
    return None


# -- writing and compiling one group ------------------------------------------------------
class FusedKernel:
    """One fused group as the plan calls it: `call(*inputs)` runs the compiled loop, or the
    members' own kernels when a variable it reads has another size than the plan's (or
    the loop could not be compiled).

    `members` are the fused ops in order, `loop_source` the loop numba compiles,
    `source` the Python around it (reading and writing variables, allocating outputs).
    """

    def __init__(self, name: str, members: list, loop_source: str, source: str, call):
        self.name, self.members = name, members
        self.loop_source, self.source, self.call = loop_source, source, call

    @property
    def type(self) -> str:
        """The fused op types, e.g. "Fused(Mul+ApplyAdam)" (how profiles list a group)."""
        return "Fused(" + "+".join(op.type for op in self.members) + ")"


class _Writer:
    """The loop and the Python wrapper of one group, as source text."""

    def __init__(self, group, steps, specs, kept, readers):
        self.group, self.specs = group, specs
        self.members = [steps[i] for i in group.members]
        self.root = steps[group.root]
        inside = set(group.members)
        produced = {n for s in self.members for n in s.names}
        # Inputs from outside the group, in order of first use. An update op's refs are
        # variable globals; the wrapper reads them through the run context.
        self.inputs: list = []
        self.kind: dict = {}
        for s in self.members:
            for a, t in arg_tensors(s):
                if a not in produced and a not in self.kind:
                    self.inputs.append(a)
                    self.kind[a] = "ref" if t is None else input_kind(
                        tuple(specs[t].shape.as_list()), group.shape)
        self.reads = tuple(dict.fromkeys(n for s in self.members for n in s.reads
                                         if n not in produced))
        # What the group returns: the root's value, and what steps outside it or the
        # run's results read.
        self.outputs = [n for s in self.members for n in s.names
                        if s is self.root or n in kept or
                        any(r not in inside for r in readers.get(n, ()))]
        self.uses_context = self.root.op.op_def.uses_context
        shape = group.shape
        self.size = int(np.prod(shape))
        self.inner = group.inner if group.inner else self.size
        self.rows = self.size // self.inner if self.inner else 1

    def loop(self):
        """The loop's source, and what it stores: [(loop value, array, output name)], first
        the refs' new values (arrays n0, n1, ...), then the group's outputs (o0, o1, ...).
        The source names no op, so equal chains in other plans share one compiled loop."""
        pre, body, value_of = [], [], {}
        for k, a in enumerate(self.inputs):
            value_of[a] = f"e{k}"
            if self.kind[a] == "scalar":  # passed as a 1-element array
                pre.append(f"    e{k} = a{k}[0]")
            else:  # flat views (a copy of a strided input), made in compiled code
                pre.append(f"    a{k} = a{k}.ravel()")
                body.append(f"e{k} = a{k}[{'j' if self.kind[a] == 'inner' else 'i'}]")
        temp, ref_values = 0, []
        for s in self.members:
            op = s.op
            dtype = _compute_dtype(op, self.specs)
            names = {arg: value_of[a] for (a, _), arg in zip(arg_tensors(s), _input_names(op))}
            for target, expression in formula(op):
                body.append(f"t{temp} = {_rewrite(expression, names, dtype)}")
                names[target] = f"t{temp}"
                temp += 1
            refs = [arg for (_, t), arg in zip(arg_tensors(s), _input_names(op)) if t is None]
            if refs:  # an update op: the new value of each ref; its output is input 0's
                ref_values = [names[r] for r in refs]
                value_of[s.names[0]] = ref_values[0]
            else:
                value_of[s.names[0]] = names["out"]
        stores = [(v, f"n{k}", None) for k, v in enumerate(ref_values)]
        for n in self.outputs:
            if not (ref_values and n in self.root.names):  # that one is the ref's n0
                stores.append((value_of[n], f"o{len(stores) - len(ref_values)}", n))
        body += [f"{array}[i] = {v}" for v, array, _ in stores]
        pre += [f"    {a} = {a}.ravel()" for _, a, _ in stores]
        params = [f"a{k}" for k in range(len(self.inputs))] + [a for _, a, _ in stores]
        lines = [f"def loop(rows, inner, {', '.join(params)}):", *pre,
                 "    for r in range(rows):",
                 "        for j in range(inner):",
                 "            i = r * inner + j",
                 *(f"            {line}" for line in body)]
        return "\n".join(lines) + "\n", stores

    def wrapper(self, stores, namespace, ns) -> str:
        """The Python function the plan calls: checks, reads, buffers, the loop, writes."""
        params = (["ctx"] if self.uses_context else []) + \
            [f"p{k}" for k in range(len(self.inputs))]
        param = dict(zip(self.inputs, params[1:] if self.uses_context else params))
        slow = self.slow(param, params, namespace, ns)
        lines = [f"def fused({', '.join(params)}):",
                 "    global broken  # set when numba cannot compile the loop"]
        checks, flat = [], []
        for a in self.inputs:
            p, kind = param[a], self.kind[a]
            if kind == "ref":
                lines.append(f"    {p}_old = ctx.read({p})")
                checks.append(f"{p}_old.shape != {self.group.shape!r}")
                flat.append(f"{p}_old.reshape(-1)")  # a 0-d value may be a numpy scalar
                continue
            if a.startswith("read("):
                # A variable's value could have been given another shape (`load`); every
                # other input has the shape the plan was specialised to and checked on
                # its first run.
                size = {"full": self.size, "inner": self.inner}.get(kind, 1)
                checks.append(f"{p}.size != {size}")
            flat.append(f"{p}.reshape(1)" if kind == "scalar" else p)
        lines += [f"    if {' or '.join(['broken', *checks])}:",
                  f"        return slow({', '.join(params)})"]
        refs = [a for a in self.inputs if self.kind[a] == "ref"]
        for k, a in enumerate(refs):
            lines.append(f"    n{k} = ctx.buffer({param[a]}, {param[a]}_old)")
        by_tensor = {n: t for s in self.members for n, t in zip(s.names, s.outs)}
        array_of = {}
        for _, array, n in stores[len(refs):]:
            dtype = self.specs[by_tensor[n]].dtype.base_dtype.name
            lines.append(f"    {array} = np.empty({self.group.shape!r}, np.{dtype})")
            array_of[n] = array
        outs = ", ".join(array for _, array, _ in stores)
        lines += ["    try:",
                  f"        loop({self.rows}, {self.inner}, {', '.join(flat)}, {outs})",
                  # Only compiling can fail here (the loop raises nothing at run time), e.g.
                  # a damaged disk cache: numpy kernels from now on, with a warning.
                  "    except Exception as e:  # noqa: BLE001",
                  "        broken = True",
                  "        gave_up(e)",
                  f"        return slow({', '.join(params)})"]
        lines += [f"    ctx.write({param[a]}, n{k})" for k, a in enumerate(refs)]
        returned = ["n0" if refs and n in self.root.names else array_of[n]
                    for n in self.outputs]
        lines.append(f"    return {', '.join(returned)}")
        return slow + "\n\n\n" + "\n".join(lines) + "\n"

    def slow(self, param, params, namespace, ns) -> str:
        """The members' own kernels in order: for inputs of sizes the loop was not made for
        (the same results and errors as an unfused run; an error names its member)."""
        lines = [f"def slow({', '.join(params)}):"]
        value = dict(param)
        for k, s in enumerate(self.members):
            ns[f"kernel{k}"], ns[f"op{k}"] = namespace[s.kernel], s.op
            args = [value.get(a, a) for a in s.args]
            if s.op.op_def.uses_context:  # ctx, the op's global: the op itself
                args[1] = f"op{k}"
            lines.append("    try:")
            lines.append(f"        v{k} = kernel{k}({', '.join(args)})")
            lines.append("    except Exception as e:")
            lines.append(f"        e.fused_member = op{k}")
            lines.append("        raise")
            value[s.names[0]] = f"v{k}"
        lines.append(f"    return {', '.join(value[n] for n in self.outputs)}")
        return "\n".join(lines)


def compile_group(group, steps, specs, namespace, kept, readers, name):
    """The FusedKernel and plan Step of one group."""
    writer = _Writer(group, steps, specs, kept, readers)
    loop_source, stores = writer.loop()
    ns = {"np": np, "loop": _jit(loop_source), "broken": False, "gave_up": _gave_up}
    source = writer.wrapper(stores, namespace, ns)
    code = _wrappers.get(source)
    if code is None:  # equal chains (Adam on each variable) share the compiled wrapper
        code = _wrappers[source] = compile(source, "<minigraph fused kernel>", "exec")
    exec(code, ns)  # noqa: S102 - generated above
    kernel = FusedKernel(name, [s.op for s in writer.members], loop_source, source,
                         ns["fused"])
    by_tensor = {n: t for s in writer.members for n, t in zip(s.names, s.outs)}
    step = codegen.Step(writer.root.op, writer.reads,
                        tuple(by_tensor[n] for n in writer.outputs), writer.root.guard, name)
    step.args = tuple((["ctx"] if writer.uses_context else []) + writer.inputs)
    step.names = tuple(writer.outputs)
    step.terms = writer.root.terms
    return kernel, step


def _gave_up(error) -> None:
    warnings.warn(f"minigraph could not compile a fused loop ({type(error).__name__}: "
                  f"{error}); that group runs its ops' numpy kernels instead (same results, "
                  "slower). Fix: clear the loop cache (fusion.cache_dir()) or set "
                  "MINIGRAPH_FUSION=0.", RuntimeWarning, stacklevel=3)


_loops: dict = {}  # loop source -> compiled loop, shared by every plan of the process
_wrappers: dict = {}  # wrapper source -> its code object


def _jit(source: str):
    """The loop in `source` compiled by numba (kept on disk when a cache dir is writable)."""
    loop = _loops.get(source)
    if loop is not None:
        return loop
    numba = numba_module()
    assert numba, "fusion runs only when numba is installed"
    digest = hashlib.sha256(source.encode()).hexdigest()[:20]
    directory = cache_dir()
    loop = None
    if directory is not None:
        try:
            loop = numba.njit(error_model="numpy", cache=True)(
                _cached_module(directory, digest, source).loop)
        except (OSError, SyntaxError, ImportError, AttributeError):
            loop = None  # a full disk, a damaged file: compile in memory instead
    if loop is None:
        ns = {"np": np}
        exec(compile(source, f"<minigraph loop {digest}>", "exec"), ns)  # noqa: S102
        loop = numba.njit(error_model="numpy")(ns["loop"])
    _loops[source] = loop
    return loop


def _cached_module(directory: str, digest: str, source: str):
    """The loop's source as a module file in the cache (numba keeps its machine code for
    a function of a file beside it)."""
    path = os.path.join(directory, f"loop_{digest}.py")
    if not os.path.exists(path):
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            f.write("import numpy as np\n\n\n" + source)
        os.replace(tmp, path)  # whole or not at all, if processes race
    name = f"minigraph_fused_loop_{digest}"
    module = sys.modules.get(name)
    if module is None:  # registered, so numba's cache can import it when loading
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None  # a .py file we wrote
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return module
