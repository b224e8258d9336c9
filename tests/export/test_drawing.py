"""networkx and DOT export, checked against their real consumers (networkx readers, dot)."""

import collections
import json
import shutil
import subprocess

import networkx as nx
import pytest

import minigraph as tf
from minigraph import viz
from minigraph.export import drawing

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` not on PATH (apt-get install graphviz)")
SCALARS = (str, int, float, bool)


def build_training_graph():
    """A small TF1-style training graph; the scopes mimic what clip ops, schedules and
    optimizers create, so the roles below do not depend on those modules."""
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    with tf.name_scope("layer"):
        w = tf.Variable([[1.0, 1.0, 1.0]], name="w")
        y = tf.reduce_sum(x * w, axis=1, name="y")
    loss = tf.reduce_sum(y * y, name="loss")
    gw, = tf.gradients(loss, [w])
    with tf.name_scope("clip_by_global_norm"):
        clipped = gw * 0.5
    with tf.name_scope("ExponentialDecay"):
        lr = tf.constant(0.1, name="learning_rate") * 1.0
    with tf.name_scope("GradientDescent"):
        update = tf.assign(w, w - lr * clipped)
    tf.global_variables_initializer()
    with tf.control_dependencies([update]):
        train = tf.group(loss, name="train")
    return {"x": x, "w": w, "loss": loss, "grad": gw, "update": update, "train": train}


def _dot_json(text, tmp_path):
    path = tmp_path / "g.dot"
    path.write_text(text)
    proc = subprocess.run(["dot", "-Tjson", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ---------------------------------------------------------------------------------------
# to_networkx
# ---------------------------------------------------------------------------------------
def test_nodes_carry_sanitised_attributes():
    t = build_training_graph()
    g = viz.to_networkx()
    ops = tf.get_default_graph().get_operations()
    assert list(g.nodes) == [op.name for op in ops]
    assert g.nodes["x"] == {
        "op_type": "Placeholder", "kind": "placeholder", "dtype": "float32",
        "tensor_shape": "(?, 3)", "num_outputs": 1, "scope": "", "role": "forward",
        "highlight": "forward", "device": "", "site": g.nodes["x"]["site"]}
    assert g.nodes["x"]["site"].startswith("test_drawing.py:")
    assert g.nodes["layer/w"]["kind"] == "variable"
    assert g.nodes["layer/w"]["dtype"] == "float32"  # base dtype, not float32_ref
    assert g.nodes["layer/w/read"]["scope"] == "layer/w"
    assert g.nodes["loss"]["tensor_shape"] == "()"
    assert g.nodes["train"]["dtype"] == "" and g.nodes["train"]["num_outputs"] == 0
    assert g.nodes["ExponentialDecay/learning_rate"]["kind"] == "constant"
    assert t["loss"].op.type == "Sum"
    for _, data in g.nodes(data=True):
        assert all(isinstance(v, SCALARS) for v in data.values()), data
    for _, _, data in g.edges(data=True):
        assert all(isinstance(v, SCALARS) for v in data.values()), data


def test_data_and_control_edges():
    t = build_training_graph()
    g = viz.to_networkx()
    for op in tf.get_default_graph().get_operations():
        data = [(u, k, d) for u, _, k, d in g.in_edges(op.name, keys=True, data=True)
                if d["kind"] == "data"]
        assert sorted(k for _, k, _ in data) == sorted(f"in{i}" for i in range(len(op.inputs)))
        for producer, key, d in data:
            tensor = op.inputs[d["index"]]
            assert key == f"in{d['index']}" and producer == tensor.op.name
            assert d["tensor"] == tensor.name and d["dtype"] == tensor.dtype.base_dtype.name
            assert d["tensor_shape"] == str(tensor.shape)
        control = sorted(u for u, _, d in g.in_edges(op.name, data=True)
                         if d["kind"] == "control")
        assert control == sorted(c.name for c in op.control_inputs)
    # x * w reads x twice? No: but y * y does -> two parallel edges with distinct keys.
    square = t["loss"].op.inputs[0].op
    assert sorted(g.get_edge_data(square.inputs[0].op.name, square.name)) == ["in0", "in1"]
    assert g.get_edge_data("GradientDescent/Assign", "train") == {
        "control": {"kind": "control"}}


def test_roles_from_scopes_and_op_types():
    build_training_graph()
    tf.summary.scalar("loss", tf.get_default_graph().get_tensor_by_name("loss:0"))
    g = viz.to_networkx()
    role = {n: (d["role"], d["highlight"]) for n, d in g.nodes(data=True)}
    assert role["x"] == role["loss"] == role["layer/w/read"] == ("forward", "forward")
    assert all(role[n][0] == "gradient" for n in g if n.startswith("gradients/"))
    assert role["clip_by_global_norm/mul"] == ("gradient", "clip")
    assert role["clip_by_global_norm/mul/y"] == ("gradient", "clip")  # its constant too
    assert role["ExponentialDecay/mul"] == ("schedule", "schedule")
    assert role["GradientDescent/Assign"] == ("update", "optimizer")
    assert role["GradientDescent/sub"] == ("update", "optimizer")
    assert role["layer/w/Assign"] == role["layer/w/initial_value"] == ("init", "init")
    assert role["init"] == ("init", "init")
    assert role["loss_1"] == role["loss_1/tags"] == ("summary", "summary")
    assert g.nodes["loss_1"]["op_type"] == "ScalarSummary"
    assert set(d["role"] for _, d in g.nodes(data=True)) <= set(viz.ROLES)


def test_roles_of_a_real_optimizer_schedule_and_global_step():
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    w = tf.Variable(tf.ones([2, 1]), name="w")
    loss = tf.reduce_sum(tf.matmul(x, w), name="loss")
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.1, step, 10, 0.5)
    with tf.name_scope("warmup"):
        lr = lr * 1.0
    train = tf.train.GradientDescentOptimizer(lr).minimize(loss, global_step=step)
    roles = {op.name: r for op, r in viz.op_roles().items()}
    assert roles[train.name] == ("update", "global_step")  # the global_step increment
    updates = [n for n, (r, h) in roles.items() if h == "optimizer"]
    assert any(n.startswith("GradientDescent/update_w/") for n in updates)
    assert roles["global_step"][1] == "global_step"
    assert all(r == ("schedule", "schedule") for n, r in roles.items()
               if n.startswith("ExponentialDecay/"))
    assert roles["warmup/mul"] == ("schedule", "warmup")


def test_fetches_keep_only_the_needed_subgraph():
    t = build_training_graph()
    forward = viz.to_networkx(fetches=t["loss"])
    assert set(forward) == {"x", "layer/w", "layer/w/read", "layer/mul", "layer/y",
                            "layer/y/reduction_indices", "mul", "loss",
                            "loss/reduction_indices"}
    by_name = viz.to_networkx(fetches={"a": ["loss:0"], "b": ("x",)})
    assert set(by_name) == set(forward)
    training = viz.to_networkx(fetches=[t["train"]])
    assert "gradients/grad_ys_0" in training and "init" not in training
    assert t["update"].op.name in training
    through_control = viz.to_networkx(fetches=t["w"])  # a Variable fetch is its node
    assert set(through_control) == {"layer/w"}


def test_graphml_gexf_and_node_link_round_trips(tmp_path):
    build_training_graph()
    g = viz.to_networkx()
    assert g.nodes["x"]["tensor_shape"] == "(?, 3)"
    nx.write_graphml(g, tmp_path / "g.graphml")
    graphml = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    nx.write_gexf(g, tmp_path / "g.gexf")
    gexf = nx.read_gexf(tmp_path / "g.gexf")
    text = json.dumps(nx.node_link_data(g, edges="edges"))
    linked = nx.node_link_graph(json.loads(text), edges="edges")
    for back in (graphml, gexf, linked):
        assert set(back.nodes) == set(g.nodes)
        assert back.number_of_edges() == g.number_of_edges()
        assert back.nodes["x"]["tensor_shape"] == "(?, 3)"
        assert back.nodes["layer/w"]["kind"] == "variable"
        assert back.nodes["train"]["num_outputs"] == 0
    assert dict(graphml.nodes(data=True)) == dict(g.nodes(data=True))
    assert dict(linked.nodes(data=True)) == dict(g.nodes(data=True))
    assert sorted(graphml.edges(keys=True, data=True)) == sorted(g.edges(keys=True, data=True))
    assert sorted(linked.edges(keys=True, data=True)) == sorted(g.edges(keys=True, data=True))
    kinds = collections.Counter(d["kind"] for _, _, d in gexf.edges(data=True))
    assert kinds == collections.Counter(d["kind"] for _, _, d in g.edges(data=True))


# ---------------------------------------------------------------------------------------
# to_dot and render
# ---------------------------------------------------------------------------------------
def _aggregated_edges(g):
    return {(u, v, d["kind"]) for u, v, d in g.edges(data=True)}


@needs_dot
def test_dot_text_is_parsed_by_graphviz(tmp_path):
    build_training_graph()
    g = viz.to_networkx()
    layout = _dot_json(viz.to_dot(), tmp_path)
    objects = layout["objects"]
    nodes = [o for o in objects if not o["name"].startswith(("cluster", "_legend"))]
    clusters = {o["name"]: o for o in objects if o["name"].startswith("cluster")}
    assert sorted(o["name"] for o in nodes) == sorted(g.nodes)
    by_id = {o["_gvid"]: o["name"] for o in objects}
    drawn = collections.Counter((by_id[e["tail"]], by_id[e["head"]], e.get("style", "solid"))
                                for e in layout["edges"])
    expected = collections.Counter((u, v, "dashed" if k == "control" else "solid")
                                   for u, v, k in _aggregated_edges(g))
    assert drawn == expected
    assert {"cluster_layer", "cluster_layer/w", "cluster_gradients", "cluster_GradientDescent",
            "cluster_clip_by_global_norm", "cluster_ExponentialDecay"} <= set(clusters)
    # The variable sits inside its own scope box, next to read and Assign.
    inner = {by_id[i] for i in clusters["cluster_layer/w"]["nodes"]}
    assert {"layer/w", "layer/w/read", "layer/w/Assign"} <= inner
    assert {by_id[i] for i in clusters["cluster_layer"]["nodes"]} >= inner  # nested
    assert all(o.get("fillcolor") in viz.COLORS.values() for o in nodes)
    edge_labels = [e.get("label") for e in layout["edges"]]
    assert "float32 (?, 3)" in edge_labels
    # A label names the op type only when it differs from the name: "mul\nMul", "loss\nSum",
    # but "Assign" alone for the Assign op named Assign.
    labels = {o["name"]: o["label"] for o in nodes}
    assert labels["loss"] == "loss\\nSum" and labels["GradientDescent/Assign"] == "Assign"
    # The legend names the colours the picture uses, and only those.
    legend, = [o for o in objects if o["name"] == "_legend"]
    for words in ("forward pass", "gradients", "gradient clipping", "learning-rate schedule",
                  "optimizer slots and updates", "initializers"):
        assert words in legend["label"], words
    assert "summaries" not in legend["label"] and "warmup" not in legend["label"]


@needs_dot
def test_unquoted_tf_names_break_dot(tmp_path):
    build_training_graph()
    path = tmp_path / "bad.dot"
    path.write_text("digraph { layer/w -> layer/w/read }\n")
    proc = subprocess.run(["dot", "-Tjson", str(path)], capture_output=True, text=True)
    assert proc.returncode != 0 and "syntax error" in proc.stderr
    assert '"layer/w" -> "layer/w/read"' in viz.to_dot()


@needs_dot
def test_collapsed_scopes_become_single_boxes(tmp_path):
    build_training_graph()
    everything = _dot_json(viz.to_dot(collapse_scopes=True), tmp_path)
    names = {o["name"] for o in everything["objects"]} - {"_legend"}
    # The variable layer/w stays a node beside the `layer` box (its read and initializer are
    # drawn as it), so the update's input comes from the variable, not from the layer.
    assert names == {"x", "layer", "layer/w", "mul", "loss", "gradients",
                     "clip_by_global_norm", "ExponentialDecay", "GradientDescent", "init",
                     "train"}
    by_id = {o["_gvid"]: o for o in everything["objects"]}
    box = [o for o in everything["objects"] if o["name"] == "gradients"][0]
    assert box["label"].startswith("gradients\\n") and box["label"].endswith(" ops")
    assert box["shape"] == "box3d"
    pairs = {(by_id[e["tail"]]["name"], by_id[e["head"]]["name"]) for e in everything["edges"]}
    assert ("layer", "gradients") in pairs and ("GradientDescent", "train") in pairs
    assert ("layer/w", "GradientDescent") in pairs and ("layer/w", "layer") in pairs
    assert ("layer", "GradientDescent") not in pairs
    hoisted, = [o for o in everything["objects"] if o["name"] == "layer/w"]
    assert hoisted["label"] == "layer/w\\nVariableV2" and hoisted["shape"] == "cylinder"
    assert not any(o["name"].startswith("cluster_layer") for o in everything["objects"])
    assert all(t != h for t, h in pairs)  # edges inside a box disappear
    some = _dot_json(viz.to_dot(collapse_scopes=["gradients"]), tmp_path)
    names = {o["name"] for o in some["objects"]}
    assert "gradients" in names and "layer/w/read" in names
    assert not any(n.startswith("gradients/") for n in names)


def test_dot_parses_in_pure_python_with_pydot():
    pydot = pytest.importorskip("pydot")
    build_training_graph()
    parsed, = pydot.graph_from_dot_data(viz.to_dot(fetches="loss:0"))
    names = set()
    stack = [parsed]
    while stack:
        graph = stack.pop()
        names.update(n.get_name().strip('"') for n in graph.get_nodes())
        stack.extend(graph.get_subgraphs())
    names -= {"graph", "node", "edge", "_legend"}
    assert names == set(viz.to_networkx(fetches="loss:0"))


@needs_dot
@pytest.mark.parametrize("suffix, magic", [("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_render_with_dot(tmp_path, suffix, magic):
    build_training_graph()
    path = viz.render(path=str(tmp_path / f"graph.{suffix}"), collapse_scopes=["gradients"])
    data = open(path, "rb").read()
    assert data.startswith(magic)
    if suffix == "svg":
        assert b"GradientDescent" in data and b"<svg" in data


@pytest.mark.parametrize("suffix, magic", [("png", b"\x89PNG"), ("svg", b"<?xml")])
def test_render_with_the_matplotlib_fallback(tmp_path, suffix, magic):
    pytest.importorskip("matplotlib")
    t = build_training_graph()
    path = viz.render(path=str(tmp_path / f"g.{suffix}"), engine="matplotlib",
                      fetches=t["train"])
    assert open(path, "rb").read().startswith(magic)


def test_render_without_any_engine_says_how_to_install(tmp_path, monkeypatch):
    build_training_graph()
    monkeypatch.setattr(drawing.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError) as info:
        viz.render(path=str(tmp_path / "g.svg"))
    assert "apt-get install graphviz" in str(info.value)
    assert "pip install graphviz-pure" in str(info.value)
    assert "engine='matplotlib'" in str(info.value)
    with pytest.raises(ValueError, match="Unknown engine 'neato'"):
        viz.render(path=str(tmp_path / "g.svg"), engine="neato")


def test_core_imports_without_optional_extras():
    code = ("import sys\n"
            "for m in ('tensorboard', 'graphviz', 'matplotlib', 'pydot', 'google.protobuf'):\n"
            "    sys.modules[m] = None\n"
            "import minigraph as tf\n"
            "from minigraph import viz\n"
            "c = tf.constant(1.0) + 2.0\n"
            "assert 'digraph' in viz.to_dot()\n"
            "assert 'AddV2' in str(c.op)\n"
            "print('ok')\n")
    proc = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
