"""The graph explorer: one self-contained HTML page to explore a graph and watch a run.

Lives here: `explore` (collects the graph, the roles, the source lines and, with a session,
the values of one traced run into JSON) and `Explorer` (the page: `save`, and
`_repr_html_` so a notebook shows it inline). The page's code is static package data in
explorer_assets/ (layout.js: the layered layout; explorer.js: visibility of scopes, SVG
drawing, interaction; explorer.css; explorer.html), inlined into the page: the file works
offline from file:// and fetches nothing. The page lays the graph out itself (recomputed
when a name scope opens or closes) and draws SVG, so labels are text.
"""

from __future__ import annotations

import html
import json
import linecache
import os
from importlib import resources

import numpy as np

from ..framework.graph import Graph, get_default_graph, graph_of
from ..framework.tensor import Operation, Tensor
from .drawing import needed_ops
from .roles import COLORS, KINDS, LEGEND, op_roles

__all__ = ["explore", "Explorer"]

SMALL = 24  # tensors with at most this many elements are shown in full


class Explorer:
    """An explorer page. `save(path)` writes it; in Jupyter it displays itself inline."""

    def __init__(self, page: str, data: dict):
        self.html = page
        self.data = data

    def save(self, path: str) -> str:
        """Write the page to `path` (one file, no other files needed); return the path."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html)
        return path

    def _repr_html_(self) -> str:
        """An iframe holding the page, so its script and styles stay separate in a notebook."""
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                'style="width:100%;height:640px;border:1px solid #ccc" '
                'title="minigraph graph explorer"></iframe>')

    def __repr__(self):
        return f"<minigraph Explorer: {len(self.data['ops'])} ops>"


def explore(graph_or_fetches=None, path: str | None = None, session=None,
            feed_dict=None) -> Explorer:
    """Build the explorer page of a graph; with a session, of one run of `graph_or_fetches`.

    Args:
      graph_or_fetches: a tf.Graph (every op), or fetches as for `Session.run` (tensors,
        ops, variables or names, nested): the ops they need. None: the default graph.
      path: also write the page there ("explorer.html").
      session: run the fetches once with `feed_dict` (`Session.trace`, which does not
        change the variables) and show every value. The page then shows the whole graph,
        greys the ops the plan pruned, and steps through the plan's execution order.
      feed_dict: the feeds of that run.

    Returns an `Explorer`; a notebook cell ending with it shows the page inline.

    Example: `viz.explore(train_op, "explorer.html", session=sess, feed_dict=feed)`.
    """
    graph, fetches = _graph_and_fetches(graph_or_fetches, session)
    trace = None
    if session is not None:
        if fetches is None:
            raise ValueError("explore(session=...) runs the fetches once, but a tf.Graph (or "
                             "None) was given, not fetches. Fix: pass what to run, e.g. "
                             "viz.explore(train_op, session=sess, feed_dict=feed).")
        trace = session.trace(fetches, feed_dict)
        ops = graph.get_operations()
    elif fetches is not None:
        needed = needed_ops(graph, fetches)
        ops = [op for op in graph.get_operations() if op in needed]
    else:
        ops = graph.get_operations()
    data = graph_data(graph, ops, trace, _fetch_names(graph, fetches))
    page = Explorer(_page(data), data)
    if path is not None:
        page.save(path)
    return page


def _graph_and_fetches(graph_or_fetches, session):
    if graph_or_fetches is None:
        graph = session.graph if session is not None else get_default_graph()
        return graph, None
    if isinstance(graph_or_fetches, Graph):
        return graph_or_fetches, None
    flat = _flatten(graph_or_fetches)
    if not flat:
        raise ValueError("explore() got no fetches. Fix: pass a tf.Graph, or the tensors and "
                         "ops to show, e.g. viz.explore(train_op).")
    default = session.graph if session is not None else None
    return graph_of(flat, default), graph_or_fetches


def _flatten(fetches) -> list:
    if isinstance(fetches, dict):
        fetches = list(fetches.values())
    if isinstance(fetches, (list, tuple, set)):
        return [x for item in fetches for x in _flatten(item)]
    return [fetches]


def _fetch_names(graph, fetches) -> list:
    if fetches is None:
        return []
    names = []
    for item in _flatten(fetches):
        element = graph.as_graph_element(item)
        names.append(element.name)
    return names


# ---------------------------------------------------------------------------------------
# The page's data
# ---------------------------------------------------------------------------------------
def graph_data(graph, ops, trace=None, fetches=()) -> dict:
    """The JSON the page draws: ops, scopes, roles, sites; with a trace, values and steps."""
    index = {op: i for i, op in enumerate(ops)}
    scopes = _scopes(ops)
    variables = {op.name for op in ops if KINDS.get(op.type) == "variable"}
    roles = op_roles(graph)
    run = None
    if trace is not None:
        run = ({op: i for i, op in enumerate(trace.steps)}, set(trace.needed))
    nodes = [_op_data(op, index, scopes, variables, roles[op], trace, run) for op in ops]
    data = {"ops": nodes, "scopes": sorted(scopes), "opScopes": _op_scopes(ops, scopes),
            "fetches": list(fetches),
            "colors": COLORS, "legend": [list(entry) for entry in LEGEND],
            "steps": [], "run": None}
    if trace is not None:
        data["steps"] = [index[op] for op in trace.steps if op in index]
        data["run"] = {"feeds": [t.name for t, s in trace.sources.items() if s == "fed"],
                       "needed": len(trace.needed), "steps": len(trace.steps)}
    return data


def _scopes(ops) -> set:
    """Every name scope that holds an op (an op named like a scope sits inside it)."""
    scopes = set()
    for op in ops:
        scope = op.name.rpartition("/")[0]
        while scope and scope not in scopes:
            scopes.add(scope)
            scope = scope.rpartition("/")[0]
    return scopes


def _op_scopes(ops, scopes) -> list:
    """Scopes named like an op that hold only that op's constants ("Mean" with
    "Mean/reduction_indices", "mul" with "mul/y"): closed, they are drawn as the op."""
    named = {op.name for op in ops if op.name in scopes and KINDS.get(op.type) != "variable"}
    other = set()
    for op in ops:
        if op.type != "Const":
            scope = op.name.rpartition("/")[0]
            while scope:
                other.add(scope)
                scope = scope.rpartition("/")[0]
    return sorted(named - other)


def _op_data(op: Operation, index, scopes, variables, role, trace, run) -> dict:
    name = op.name
    placed = name if name in scopes else name.rpartition("/")[0]
    group, scope = "", placed
    if KINDS.get(op.type) == "variable":
        scope = ""
        group = name  # a variable is its own group, even when nothing is named under it
    while scope:  # the innermost variable whose scope holds this op (its read, slots, ...)
        if scope in variables:
            group = scope
            break
        scope = scope.rpartition("/")[0]
    site = op.creation_site
    item = {"n": name, "t": op.type, "k": KINDS.get(op.type, "op"), "s": placed, "g": group,
            "h": role[1], "r": role[0],
            "in": [[index.get(t.op, -1), t.name] for t in op.inputs],
            "ctl": [index[c] for c in op.control_inputs if c in index],
            "out": [[t.dtype.base_dtype.name, str(t.shape)] for t in op.outputs],
            "attrs": {k: _attr_text(v) for k, v in sorted(op.attrs.items())},
            "site": f"{os.path.basename(site[0])}:{site[1]}" if site else "",
            "code": linecache.getline(site[0], site[1]).strip() if site else ""}
    if trace is not None:
        item.update(_run_data(op, trace, *run))
    return item


def _run_data(op, trace, step_of, needed) -> dict:
    """The op's part in the traced run: its state, step number and value summaries."""
    values = [trace.values.get(t) for t in op.outputs]
    sources = {trace.sources.get(t) for t in op.outputs} - {None}
    if op in step_of and op.outputs and all(v is None for v in values):
        state = "untaken"  # a step inside the tf.cond branch that this run did not take
    elif op in step_of:
        state = "step"
    elif "step" in sources:
        state = "forwarded"  # passes an input through at these shapes: no step of its own
    elif sources:
        state = sorted(sources)[0]  # fed, folded or variable
    elif op in needed:
        state = "skipped"
    else:
        state = "pruned"
    result = {"state": state, "step": step_of.get(op, -1),
              "values": [None if v is None else summarize(v) for v in values]}
    if op in trace.writes:
        result["written"] = summarize(trace.writes[op])
    return result


def summarize(value) -> dict:
    """Shape, dtype, min / max / mean of the finite values, NaN and Inf counts, and the
    values themselves when there are at most SMALL of them."""
    arr = np.asarray(value)
    result = {"shape": list(arr.shape), "dtype": str(arr.dtype)}
    if arr.dtype.kind in "biuf" and arr.size:
        numbers = arr.astype(np.float64)
        finite = numbers[np.isfinite(numbers)]
        result["nan"] = int(np.isnan(numbers).sum())
        result["inf"] = int(np.isinf(numbers).sum())
        if finite.size:
            result.update(min=float(finite.min()), max=float(finite.max()),
                          mean=float(finite.mean()))
    if arr.size <= SMALL:
        if arr.dtype.kind in "OSU":
            result["full"] = _clip(repr(arr.tolist()))
        else:
            result["full"] = np.array2string(arr, precision=5, separator=", ",
                                             suppress_small=True, max_line_width=72)
    return result


def _attr_text(value) -> str:
    if isinstance(value, np.ndarray):
        text = np.array2string(value, precision=5, separator=", ", threshold=24)
    elif hasattr(value, "name") and not isinstance(value, (str, Tensor)):
        text = str(value.name)  # a DType
    else:
        text = str(value)
    return _clip(text)


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit] + " ..."


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------
def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("explorer_assets", name).read_text("utf-8")


def _page(data: dict) -> str:
    """The HTML page: styles, the data as JSON and the script, all inline."""
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("</", "<\\/")  # a name cannot end the script element
    title = "minigraph explorer" + (f": {', '.join(data['fetches'])}" if data["fetches"]
                                    else "")
    return (_asset("explorer.html")
            .replace("{{TITLE}}", html.escape(title))
            .replace("{{STYLE}}", _asset("explorer.css"))
            .replace("{{LAYOUT}}", _asset("layout.js"))
            .replace("{{SCRIPT}}", _asset("explorer.js"))
            .replace("{{DATA}}", payload))
