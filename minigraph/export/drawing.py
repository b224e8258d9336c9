"""Graph export for people and tools: networkx (the one conversion), DOT text, rendering.

Lives here: `to_networkx` (a sanitised MultiDiGraph that every networkx writer accepts),
`to_dot` (Graphviz text, one cluster per name scope, a colour legend) and `render` (dot,
graphviz-pure, or a matplotlib preview). The roles and colours (`op_roles`, `COLORS`) live in
roles.py, GraphDef export in graph_def.py, the HTML explorer in explorer.py; `minigraph.viz`
re-exports them.
"""

from __future__ import annotations

import collections
import os
import shutil
import subprocess

import networkx as nx

from ..framework.graph import Graph, get_default_graph
from ..framework.tensor import Operation, Tensor
from .roles import COLORS, KINDS, LEGEND, ROLES, op_roles

__all__ = ["to_networkx", "to_dot", "render", "op_roles", "ROLES", "COLORS"]


# ---------------------------------------------------------------------------------------
# networkx
# ---------------------------------------------------------------------------------------
def to_networkx(graph: Graph | None = None, fetches=None) -> nx.MultiDiGraph:
    """Return the graph as a `networkx.MultiDiGraph` with plain str/int/float/bool attributes.

    Nodes are op names with `op_type`, `kind` (variable/placeholder/constant/op), `dtype`
    and `tensor_shape` of output 0 ("float32", "(?, 3)"), `num_outputs`, `scope`, `role`,
    `highlight` (the role refined: clip, warmup, optimizer, global_step), `device`, `site`.
    Data edges have key "in<i>" and `kind="data"`, `tensor`, `index`, `dtype`,
    `tensor_shape`; control edges have key "control" and `kind="control"`; a while loop's
    condition and body results reach its While op by edges of `kind="loop"` ("loop<i>"),
    and its body ops sit in the loop's name scope (one frame, one box or TensorBoard group).
    With `fetches` (tensors, ops, variables, names, nested in lists/tuples/dicts) only the
    ops they need are kept. Every attribute is a scalar, so `nx.write_graphml`, `nx.write_gexf` and
    `nx.node_link_data` work unchanged.

    Example: `to_networkx().nodes["mul"]["op_type"]` -> "Mul".
    """
    graph = get_default_graph() if graph is None else graph
    ops = graph.get_operations()
    if fetches is not None:
        needed = needed_ops(graph, fetches)
        ops = [op for op in ops if op in needed]
    kept = set(ops)
    roles = op_roles(graph)
    result = nx.MultiDiGraph()
    for op in ops:
        role, highlight = roles[op]
        result.add_node(op.name, **_node_attributes(op, role, highlight))
    for op in ops:
        for i, t in enumerate(op.inputs):
            if t.op in kept:
                result.add_edge(t.op.name, op.name, key=f"in{i}", kind="data", tensor=t.name,
                                index=i, dtype=t.dtype.base_dtype.name,
                                tensor_shape=str(t.shape))
        for c in op.control_inputs:
            if c in kept:
                result.add_edge(c.name, op.name, key="control", kind="control")
        frame = op.attrs.get("frame") if op.type == "While" else None
        if frame is not None:  # a loop's body results flow back into the While op
            ends = [frame.cond_output] if frame.cond_output is not None else []
            for i, t in enumerate(ends + frame.body_outputs + frame.stacked):
                if t.op in kept:
                    result.add_edge(t.op.name, op.name, key=f"loop{i}", kind="loop",
                                    tensor=t.name, index=i, dtype=t.dtype.base_dtype.name,
                                    tensor_shape=str(t.shape))
    return result


def _node_attributes(op: Operation, role: str, highlight: str) -> dict:
    first = op.outputs[0] if op.outputs else None
    site = op.creation_site
    return {
        "op_type": op.type,
        "kind": KINDS.get(op.type, "op"),
        "dtype": first.dtype.base_dtype.name if first is not None else "",
        "tensor_shape": str(first.shape) if first is not None else "",
        "num_outputs": len(op.outputs),
        "scope": op.name.rpartition("/")[0],
        "role": role,
        "highlight": highlight,
        "device": op.device or "",
        "site": f"{os.path.basename(site[0])}:{site[1]}" if site else "",
    }


def needed_ops(graph: Graph, fetches) -> set:
    """The ops that running `fetches` needs: a backward walk over data and control inputs."""
    stack, leaves = [fetches], []
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set)):
            stack.extend(item)
        else:
            element = graph.as_graph_element(item)
            leaves.append(element.op if isinstance(element, Tensor) else element)
    needed, stack = set(), leaves
    while stack:
        op = stack.pop()
        if op in needed:
            continue
        needed.add(op)
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return needed

# ---------------------------------------------------------------------------------------
# DOT
# ---------------------------------------------------------------------------------------
def to_dot(graph: Graph | None = None, fetches=None, collapse_scopes=False,
           edge_labels: bool = True, rankdir: str = "TB", legend: bool = True) -> str:
    """Return Graphviz DOT text for the graph, built on `to_networkx`.

    Every name is quoted (TF names contain "/" and ":"), each name scope is a nested
    `cluster_<scope>` box, nodes are filled by highlight group (see `COLORS`), data edges
    carry "dtype shape" labels and control edges are dashed.

    Args:
      fetches: draw only the ops these fetches need.
      collapse_scopes: True draws each top-level name scope as one box; a list of scope
        names ("gradients", "Adam") collapses just those. Variables (with their read,
        initializer and slots) stay nodes beside the box, so an edge into an update starts
        at the variable it updates.
      edge_labels: label data edges with their dtype and static shape.
      rankdir: Graphviz layout direction ("TB" top-down, "LR" left to right).
      legend: add a node `_legend` naming the colours used.

    Example: `open("g.dot", "w").write(viz.to_dot())`, then `dot -Tsvg g.dot -o g.svg`.
    """
    g = to_networkx(graph, fetches)
    boxes, hoisted = _collapse_map(g, collapse_scopes)
    drawn, members = {}, collections.defaultdict(dict)
    for name, data in g.nodes(data=True):
        if name in boxes:
            members[boxes[name]][name] = data
        else:
            drawn[name] = data
    placement = _placements(drawn.keys() | members.keys(), hoisted)
    nodes = {name: _node_style(name, data, placement[name]) for name, data in drawn.items()}
    for box, inside in members.items():
        if box not in drawn:  # a variable's read and initializer are drawn as the variable
            nodes[box] = _box_style(box, inside)
    edges = collections.defaultdict(list)
    for u, v, data in g.edges(data=True):
        source, target = boxes.get(u, u), boxes.get(v, v)
        if source != target:
            edges[(source, target, data["kind"])].append(data)
    lines = [f"digraph {_quote('minigraph')} {{",
             f"  graph [rankdir={_quote(rankdir)}, compound=true, fontname=\"Helvetica\", "
             "fontsize=11];",
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8, color="#555555"];']
    if legend and nodes:
        lines.append(_legend_line({n["fillcolor"] for n in nodes.values()}))
    lines += _cluster_lines(nodes, placement)
    for (source, target, kind), datas in edges.items():
        lines.append(f"  {_quote(source)} -> {_quote(target)} "
                     f"{_attr_list(_edge_style(kind, datas, edge_labels))};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _legend_line(fills) -> str:
    """A table node naming each colour that the picture uses, in `LEGEND` order."""
    rows = "".join(f'<tr><td bgcolor="{COLORS[h]}" width="16"> </td>'
                   f'<td align="left">{label}</td></tr>'
                   for h, label in LEGEND if COLORS[h] in fills)
    return ('  "_legend" [shape=plaintext, fontsize=10, label=<<table border="0" '
            'cellborder="1" cellspacing="0" cellpadding="3"><tr><td colspan="2">colours'
            f"</td></tr>{rows}</table>>];")


def _collapse_map(g, collapse_scopes):
    """({node: the box or variable that stands for it}, {hoisted variable: its box's scope}).

    A node inside a collapsed scope is drawn as that scope's box, except a variable and the
    ops under its name (read, Assign, initializer): they are drawn as the variable, which
    stays a node beside the box. Slots are variables, so they stay visible too.
    """
    if collapse_scopes is True:
        scopes = {name.split("/")[0] for name in g if "/" in name}
    elif collapse_scopes:
        scopes = {s.rstrip("/") for s in ([collapse_scopes] if isinstance(collapse_scopes, str)
                                           else collapse_scopes)}
    else:
        return {}, {}
    variables = {name for name, kind in g.nodes(data="kind") if kind == "variable"}
    boxes, hoisted = {}, {}
    for name in g:
        scope = next((s for s in sorted(scopes, key=len)  # the outermost collapsed scope
                      if name == s or name.startswith(s + "/")), None)
        if scope is None:
            continue
        group = _variable_group(name, variables)
        if group is not None and (group == scope or group.startswith(scope + "/")):
            hoisted[group] = scope
            if group != name:
                boxes[name] = group
        else:
            boxes[name] = scope
    return boxes, hoisted


def _variable_group(name: str, variables) -> str | None:
    """The innermost variable whose name is `name` or a scope around it, else None."""
    parts = name.split("/")
    for k in range(len(parts), 0, -1):
        prefix = "/".join(parts[:k])
        if prefix in variables:
            return prefix
    return None


def _placements(names, hoisted=None) -> dict:
    """The cluster each drawn node sits in; an op named like a scope sits inside it. A
    hoisted variable sits where the box of its collapsed scope sits."""
    hoisted = hoisted or {}
    parent = {name: name.rpartition("/")[0] for name in names if name not in hoisted}
    scopes = set()
    for scope in parent.values():
        while scope:
            scopes.add(scope)
            scope = scope.rpartition("/")[0]
    placement = {name: (name if name in scopes else parent[name]) for name in parent}
    for name, box in hoisted.items():
        placement[name] = placement.get(box, box.rpartition("/")[0])
    return placement


def _cluster_lines(nodes, placement) -> list:
    """Nodes grouped into nested clusters; scopes sorted as paths keep children together."""
    by_scope = collections.defaultdict(list)
    for name, scope in placement.items():
        by_scope[scope].append(name)
    scopes = set()
    for scope in by_scope:
        while scope:
            scopes.add(scope)
            scope = scope.rpartition("/")[0]
    lines = [f"  {_quote(n)} {_attr_list(nodes[n])};" for n in by_scope.get("", [])]
    stack = []
    for scope in sorted(scopes, key=lambda s: s.split("/")):
        while stack and not scope.startswith(stack[-1] + "/"):
            stack.pop()
            lines.append("  " * (len(stack) + 1) + "}")
        pad = "  " * (len(stack) + 1)
        lines.append(f"{pad}subgraph {_quote('cluster_' + scope)} {{")
        lines.append(f"{pad}  graph [label={_quote(scope.rpartition('/')[2])}, "
                     'style="rounded,dashed", color="#8a8a8a"];')
        lines += [f"{pad}  {_quote(n)} {_attr_list(nodes[n])};" for n in by_scope.get(scope, [])]
        stack.append(scope)
    while stack:
        stack.pop()
        lines.append("  " * (len(stack) + 1) + "}")
    return lines


_DOT_SHAPES = {"variable": ("cylinder", "filled"), "placeholder": ("invhouse", "filled"),
               "constant": ("box", "filled"), "op": ("box", "rounded,filled")}


def _node_style(name, data, placement: str = "") -> dict:
    """Label: the name inside its cluster (the whole path for a hoisted variable), then the
    op type unless it is the same word ("MatMul", not "MatMul / MatMul")."""
    shape, style = _DOT_SHAPES[data["kind"]]
    tooltip = f"{name} ({data['op_type']}) role={data['role']}"
    if data["site"]:
        tooltip += f" at {data['site']}"
    if placement == name:  # an op named like its scope sits inside that cluster
        label = name.rpartition("/")[2]
    else:
        label = name[len(placement) + 1:] if placement else name
    if data["op_type"] != name.rpartition("/")[2]:
        label += "\n" + data["op_type"]
    return {"label": label, "shape": shape, "style": style,
            "fillcolor": COLORS[data["highlight"]], "tooltip": tooltip}


def _box_style(box, members: dict) -> dict:
    """A collapsed scope: coloured like the op named after it (a variable, a summary), else
    like most of its non-initializer ops."""
    if box in members:
        highlight = members[box]["highlight"]
    else:
        counts = collections.Counter(d["highlight"] for d in members.values())
        busy = [h for h, _ in counts.most_common() if h != "init"]
        highlight = busy[0] if busy else "init"
    count = f"{len(members)} op{'s' if len(members) > 1 else ''}"
    return {"label": f"{box}\n{count}", "shape": "box3d", "style": "filled",
            "fillcolor": COLORS[highlight], "tooltip": f"collapsed scope {box}: {count}"}


def _edge_style(kind, datas, edge_labels) -> dict:
    if kind == "control":
        return {"style": "dashed", "color": "#8a8a8a", "arrowhead": "odot"}
    if kind == "loop":  # the next iteration's values: a back edge of the loop frame
        return {"style": "bold", "color": "#3b6fb6", "label": "next iteration"}
    if not edge_labels:
        return {}
    if len(datas) == 1:
        return {"label": f"{datas[0]['dtype']} {datas[0]['tensor_shape']}"}
    return {"label": f"{len(datas)} tensors"}


def _attr_list(attrs: dict) -> str:
    return "[" + ", ".join(f"{k}={_quote(str(v))}" for k, v in attrs.items()) + "]"


def _quote(text: str) -> str:
    """A DOT double-quoted string; a newline becomes Graphviz's centred line break."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# ---------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------
_ENGINES = ("dot", "graphviz-pure")


def render(graph: Graph | None = None, path: str = "graph.svg", fetches=None,
           engine: str | None = None, **dot_options) -> str:
    """Draw the graph into `path` (format from the suffix: svg, png, pdf, json, ...).

    `engine=None` uses Graphviz `dot` when it is on PATH, else `graphviz-pure`, else raises
    RuntimeError saying how to install one. `engine="matplotlib"` draws a rough layered
    preview (topological generations top-down, no clusters) with networkx + matplotlib and
    needs no system package. `dot_options` go to `to_dot` (collapse_scopes, edge_labels, ...).

    Example: `viz.render(path="graph.svg", collapse_scopes=["gradients"])`.
    """
    fmt = os.path.splitext(path)[1].lstrip(".").lower() or "svg"
    if engine == "matplotlib":
        return _render_matplotlib(graph, path, fetches)
    if engine is not None and engine not in _ENGINES:
        raise ValueError(f"Unknown engine {engine!r}: use None (automatic), 'dot', "
                         "'graphviz-pure' or 'matplotlib'.")
    executable = _find_engine(engine)
    text = to_dot(graph, fetches, **dot_options)
    proc = subprocess.run([executable, f"-T{fmt}", "-o", path], input=text.encode(),
                          capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"{executable} failed (exit {proc.returncode}) writing {path}: "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return path


def _find_engine(engine: str | None) -> str:
    for name in (engine,) if engine else _ENGINES:
        found = shutil.which(name)
        if found:
            return found
    wanted = f"'{engine}'" if engine else "Graphviz 'dot' (or 'graphviz-pure')"
    raise RuntimeError(f"Rendering needs {wanted}, which is not on PATH. Install it with "
                       "`apt-get install graphviz` (or `brew install graphviz`), or "
                       "`pip install graphviz-pure` for a self-contained binary; or pass "
                       "engine='matplotlib' for a rough preview that needs no system package.")


def _render_matplotlib(graph, path, fetches) -> str:
    try:
        from matplotlib import figure, patches  # optional extra (viz): only this engine
    except ImportError as e:
        raise ImportError("engine='matplotlib' needs matplotlib: pip install "
                          "'minigraph[viz]' (or pip install matplotlib).") from e
    g = to_networkx(graph, fetches)
    if not g:
        raise ValueError("The graph has no ops to draw. Build some ops first, or check "
                         "`fetches`.")
    pos = _layered_positions(g)
    rows = collections.Counter(y for _, y in pos.values())
    fig = figure.Figure(figsize=(max(6.0, 1.3 * max(rows.values())), max(4.0, 0.9 * len(rows))))
    ax = fig.add_subplot()
    ax.set_axis_off()
    simple = nx.DiGraph(g)
    for kind, style in (("data", "solid"), ("control", "dashed")):
        pairs = {(u, v) for u, v, k in g.edges(data="kind") if k == kind}
        nx.draw_networkx_edges(simple, pos, ax=ax, edgelist=sorted(pairs), style=style,
                               edge_color="#555555", arrows=True, node_size=900,
                               node_shape="s")
    nx.draw_networkx_nodes(simple, pos, ax=ax, node_shape="s", node_size=900,
                           node_color=[COLORS[g.nodes[n]["highlight"]] for n in simple],
                           edgecolors="#555555")
    labels = {n: _node_style(n, g.nodes[n], n.rpartition("/")[0])["label"] for n in simple}
    nx.draw_networkx_labels(simple, pos, labels=labels, ax=ax, font_size=6)
    _matplotlib_legend(ax, {g.nodes[n]["highlight"] for n in simple}, patches.Patch)
    fig.savefig(path, bbox_inches="tight")
    return path


def _matplotlib_legend(ax, highlights, Patch) -> None:  # noqa: N803 - matplotlib's class
    """A legend beside the axes naming the colours drawn (`Patch`: matplotlib's class)."""
    handles = [Patch(facecolor=COLORS[h], edgecolor="#555555", label=label)
               for h, label in LEGEND if h in highlights]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7,
              title="colours", title_fontsize=8, frameon=False)


def _layered_positions(g) -> dict:
    """Rows from `nx.topological_generations`, each node then moved down to just above its
    first consumer (constants sit next to their use), and each row ordered by the mean
    position of its inputs to cut crossings."""
    layer = {}
    for depth, names in enumerate(nx.topological_generations(g)):
        layer.update(dict.fromkeys(names, depth))
    for name in reversed(list(nx.topological_sort(g))):
        if g.out_degree(name):
            layer[name] = min(layer[s] for s in g.successors(name)) - 1
    rows = collections.defaultdict(list)
    for name in g:
        rows[layer[name]].append(name)
    x = {}
    for depth in sorted(rows):
        row = rows[depth]
        preds = {n: [x[p] for p in g.predecessors(n) if p in x] for n in row}
        row.sort(key=lambda n: sum(preds[n]) / len(preds[n]) if preds[n] else 0.0)
        x.update({n: i - (len(row) - 1) / 2 for i, n in enumerate(row)})
    return {n: (x[n], -layer[n]) for n in g}
