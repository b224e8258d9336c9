"""viz.explore: the page's data (roles, scopes, variables, values of a traced run) and that
the page is one self-contained file. The page itself is driven in a real browser by
tests/export/test_explorer_browser.py."""

import json
import pathlib
import re
import runpy

import numpy as np
import pytest

import minigraph as tf
from minigraph import viz
from minigraph.export import explorer

ROOT = pathlib.Path(__file__).resolve().parents[2]


def page_data(page: str) -> dict:
    text = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', page,
                     re.S).group(1)
    return json.loads(text.replace("<\\/", "</"))


def seed_run():
    program = runpy.run_path(str(ROOT / "examples" / "seed_program.py"))
    feed = {program["x"]: program["features"], program["y"]: program["targets"]}
    return program, feed


def test_the_page_is_one_self_contained_file(tmp_path):
    x = tf.placeholder(tf.float32, [None, 2], name="x")
    tf.reduce_sum(x * 2.0, name="total")
    path = tmp_path / "g.html"
    page = viz.explore(tf.get_default_graph(), str(path))
    text = path.read_text()
    assert text == page.html and text.startswith("<!DOCTYPE html>")
    # No external resource of any kind: everything is inline, and the page's own policy
    # forbids the browser to fetch anything.
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:)""", text)
    assert "default-src 'none'" in text
    assert not re.search(r"fetch\(|XMLHttpRequest|WebSocket|import\(", text)
    for asset in ("layout.js", "explorer.js", "explorer.css"):
        body = (ROOT / "minigraph" / "export" / "explorer_assets" / asset).read_text()
        assert body.strip() in text
    data = page_data(text)
    assert [op["n"] for op in data["ops"]] == ["x", "mul/y", "mul", "total/reduction_indices",
                                               "total"]
    mul = data["ops"][2]
    assert mul["t"] == "Mul" and mul["in"] == [[0, "x:0"], [1, "mul/y:0"]]
    assert mul["out"] == [["float32", "(?, 2)"]] and mul["site"].startswith("test_explorer.py:")
    assert mul["code"] == 'tf.reduce_sum(x * 2.0, name="total")'
    assert data["run"] is None and data["steps"] == []


def test_names_cannot_break_out_of_the_page():
    tf.constant("</script><b>", name="s")  # the source line goes into the page
    text = viz.explore(tf.get_default_graph()).html
    assert "</script><b>" not in text
    assert page_data(text)["ops"][0]["code"] == 'tf.constant("</script><b>", name="s")  ' \
        '# the source line goes into the page'


def test_notebook_display_is_an_isolated_iframe():
    tf.constant(1.0, name="c")
    page = viz.explore(tf.get_default_graph())
    shown = page._repr_html_()
    assert shown.startswith("<iframe srcdoc=\"") and "&lt;!DOCTYPE html&gt;" in shown
    assert '"' not in shown[len('<iframe srcdoc="'):shown.index('" style=')]


def test_scopes_roles_and_variable_groups_of_the_seed_step():
    program, _ = seed_run()
    data = page_data(viz.explore(program["train_op"]).html)
    ops = {op["n"]: op for op in data["ops"]}
    assert "init" not in ops  # fetches without a session: only the ops they need
    assert {"gradients", "clip_by_global_norm", "warmup", "PolynomialDecay", "Adam",
            "model", "model/kernel"} <= set(data["scopes"])
    # A variable and everything under its name (read, slots' scopes) form its group; slots
    # are variables with groups of their own, so they stay visible beside a closed scope.
    assert ops["model/kernel"]["s"] == "model/kernel" and ops["model/kernel"]["g"] == "model/kernel"
    assert ops["model/kernel/read"]["g"] == "model/kernel"
    assert ops["model/kernel/Adam"]["k"] == "variable"
    assert ops["model/kernel/Adam"]["g"] == "model/kernel/Adam"
    assert ops["MatMul"]["g"] == "" and ops["MatMul"]["s"] == ""
    # "Mean" holds only its constant reduction_indices: closed, it is drawn as the op.
    assert "Mean" in data["opScopes"] and ops["Mean"]["s"] == "Mean"
    assert "Adam" not in data["opScopes"]  # the global_step increment named Adam: 12 ops
    highlights = {name: op["h"] for name, op in ops.items()}
    assert highlights["Adam/update_model/kernel/ApplyAdam"] == "optimizer"
    assert highlights["model/kernel/Adam"] == "optimizer"
    assert highlights["Adam"] == "global_step" and highlights["global_step"] == "global_step"
    assert highlights["clip_by_global_norm/mul_1"] == "clip"
    assert highlights["warmup/mul"] == "warmup"
    assert highlights["PolynomialDecay/Pow"] == "schedule"
    assert highlights["gradients/MatMul_grad/MatMul_1"] == "gradient"
    assert {h for h, _ in data["legend"]} == set(viz.COLORS)


def test_a_traced_run_gives_values_states_and_the_plan_order():
    program, feed = seed_run()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        page = viz.explore([program["train_op"], program["loss"]], session=sess,
                           feed_dict=feed)
        plan = sess.plan_for([program["train_op"], program["loss"]], feed)
        loss = sess.run(program["loss"], feed)  # the explorer's run did not train
        assert sess.run(program["global_step"]) == 0
    data = page_data(page.html)
    ops = data["ops"]
    by_name = {op["n"]: op for op in ops}
    assert [ops[i]["n"] for i in data["steps"]] == [op.name for op in plan.step_ops]
    assert ops[data["steps"][-1]]["n"] == "Adam"  # the global_step increment runs last
    assert "init" in by_name and by_name["init"]["state"] == "pruned"   # the whole graph
    assert by_name["model/kernel/Assign"]["state"] == "pruned"
    assert by_name["x"]["state"] == "fed" and by_name["MatMul"]["state"] == "step"
    assert by_name["PolynomialDecay/sub"]["state"] == "folded"  # 40 - 0, at compile time
    assert by_name["model/kernel"]["state"] == "variable"
    mean = by_name[program["loss"].op.name]["values"][0]
    assert mean["shape"] == [] and mean["mean"] == pytest.approx(float(loss))
    matmul = by_name["MatMul"]["values"][0]
    expected = program["features"] @ np.zeros((3, 1), np.float32)
    assert matmul["shape"] == [64, 1] and matmul["dtype"] == "float32"
    assert (matmul["min"], matmul["max"], matmul["mean"]) == (expected.min(), expected.max(),
                                                              expected.mean())
    assert "full" not in matmul and explorer.SMALL < 64  # 64 values: summarised only
    assert by_name["model/kernel"]["values"][0]["full"] == "[[0.],\n [0.],\n [0.]]"
    step = by_name["global_step"]
    assert step["values"][0]["full"] == "0" and step["written"]["full"] == "1"
    assert data["run"]["steps"] == len(plan.step_ops)


def test_summaries_flag_nan_and_inf_and_show_small_tensors():
    s = explorer.summarize(np.array([1.0, np.nan, np.inf, -2.0], np.float32))
    assert (s["nan"], s["inf"], s["min"], s["max"], s["mean"]) == (1, 1, -2.0, 1.0, -0.5)
    assert s["full"] == "[ 1., nan, inf, -2.]"
    big = explorer.summarize(np.arange(100.0).reshape(10, 10))
    assert big["shape"] == [10, 10] and "full" not in big and big["mean"] == 49.5
    assert explorer.summarize(np.array([True, False]))["mean"] == 0.5
    assert explorer.summarize(b"\x01\x02")["full"] == "b'\\x01\\x02'"


def test_bad_arguments_say_how_to_fix():
    tf.constant(1.0)
    with tf.Session() as sess:
        with pytest.raises(ValueError, match="pass what to run"):
            viz.explore(tf.get_default_graph(), session=sess)
    with pytest.raises(ValueError, match="no fetches"):
        viz.explore([])


def test_a_cond_branch_not_taken_is_marked():
    x = tf.placeholder(tf.float32, [], name="x")
    out = tf.cond(x > 0.0, lambda: tf.square(x, name="pos"), lambda: tf.negative(x, name="neg"))
    with tf.Session() as sess:
        data = viz.explore(out, session=sess, feed_dict={x: 3.0}).data
    ops = {op["n"]: op for op in data["ops"]}
    taken = [op for name, op in ops.items() if name.endswith("/pos")]
    untaken = [op for name, op in ops.items() if name.endswith("/neg")]
    assert taken[0]["state"] == "step" and taken[0]["values"][0]["full"] == "9."
    assert untaken[0]["state"] == "untaken" and untaken[0]["values"] == [None]
    merge = ops[out.op.name]
    assert merge["values"][0]["full"] == "9."
