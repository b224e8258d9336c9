"""The explorer in real headless Chromium (DevTools protocol, tests/export/cdp.py).

Opens the explorer of the seed program's training step from file://, opens a name scope,
clicks a node and reads its details, searches, steps through the run, and checks that the
page made no network request and logged no console error. A 5,000-op graph must open and
open its biggest scope. Screenshots and load times go to artifacts/ (a CI artifact).
Skips when no Chromium is installed (apt-get install chromium).
"""

import json
import pathlib
import runpy

import pytest

import minigraph as tf
from minigraph import viz

import cdp  # tests/export/cdp.py: the DevTools driver

pytestmark = pytest.mark.skipif(cdp.find_chromium() is None,
                                reason="no Chromium on PATH (apt-get install chromium)")
ROOT = pathlib.Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"


def record(name: str, **numbers):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "explorer_timings.json"
    timings = json.loads(path.read_text()) if path.exists() else {}
    timings[name] = numbers
    path.write_text(json.dumps(timings, indent=2))
    print(name, numbers)


def text_of(browser, selector):
    return browser.evaluate(f"document.querySelector({json.dumps(selector)}).textContent")


def key_of(data, name):
    return "o" + str([op["n"] for op in data["ops"]].index(name))


def test_seed_training_step_in_chromium(tmp_path):
    program = runpy.run_path(str(ROOT / "examples" / "seed_program.py"))
    feed = {program["x"]: program["features"], program["y"]: program["targets"]}
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        page = viz.explore([program["train_op"], program["loss"]], str(tmp_path / "seed.html"),
                           session=sess, feed_dict=feed)
        plan = sess.plan_for([program["train_op"], program["loss"]], feed)
    steps = [op.name for op in plan.step_ops]
    with cdp.Browser(width=1400, height=900) as browser:
        seconds = browser.open((tmp_path / "seed.html").as_uri())
        record("seed training step", ops=len(page.data["ops"]), open_seconds=round(seconds, 3),
               script_ms=round(browser.evaluate("window.minigraphExplorer.loadMs"), 1))
        # Closed scopes are boxes; variables and Adam's slots stay nodes outside them, and
        # the arrows into the Adam box come from the variables it updates.
        boxes = browser.evaluate("[...document.querySelectorAll('.node.scope')]"
                                 ".map(e => e.dataset.key)")
        assert sorted(boxes) == ["sAdam", "sPolynomialDecay", "sclip_by_global_norm",
                                 "sgradients", "swarmup"]
        kernel, slot = key_of(page.data, "model/kernel"), key_of(page.data, "model/kernel/Adam")
        edges = browser.evaluate("[...document.querySelectorAll('.edge')]"
                                 ".map(e => e.dataset.edge)")
        assert f"{kernel}>sAdam" in edges and f"{slot}>sAdam" in edges
        assert f"{kernel}>smodel" not in edges and "smodel>sAdam" not in edges
        labels = browser.evaluate("[...document.querySelectorAll('#viewport text')]"
                                  ".map(t => t.textContent)")
        assert "model/kernel/Adam" in labels and "gradients" in labels
        mean = key_of(page.data, "Mean")  # an op with only its constants: a node, not a box
        assert browser.evaluate(f"!!document.querySelector('.node[data-key=\"{mean}\"]')")

        browser.click('.node[data-key="sgradients"]')                   # open a scope
        assert "gradients" in browser.evaluate("window.minigraphExplorer.state().expanded")
        assert browser.evaluate("!!document.querySelector('.box[data-key=\"sgradients\"]')")
        labels = browser.evaluate("[...document.querySelectorAll('#viewport text')]"
                                  ".map(t => t.textContent)")
        assert "Mean_grad" in labels and "MatMul_grad" in labels

        matmul = f'.node[data-key="{key_of(page.data, "MatMul")}"]'
        browser.mouse("mouseMoved", *browser.center(matmul))              # hover a node
        assert browser.evaluate("document.getElementById('tooltip').hidden") is False
        assert text_of(browser, "#tooltip").startswith("MatMul (MatMul) float32 (?, 1)")
        browser.click(matmul)                                             # read a node
        assert text_of(browser, "#details-name") == "MatMul"
        details = text_of(browser, "#details")
        for fact in ("MatMul", "float32 (?, 1)", "seed_program.py:25", "x:0",
                     "model/kernel/read:0", "add", "transpose_a", "float32 (64, 1)",
                     f"ran as step {steps.index('MatMul') + 1} of {len(steps)}"):
            assert fact in details, fact
        browser.click('.box[data-key="sgradients"] text.title')           # and close it
        assert "gradients" not in browser.evaluate("window.minigraphExplorer.state().expanded")

        browser.evaluate("(() => { const s = document.getElementById('search');"
                         " s.value = 'kernel/ApplyAdam'; s.dispatchEvent(new Event('input')); })()")
        browser.click("#matches li[data-op]")                            # search reveals it
        assert text_of(browser, "#details-name") == "Adam/update_model/kernel/ApplyAdam"
        assert browser.evaluate("!!document.querySelector('.node.selected')")

        view = browser.evaluate("window.minigraphExplorer.state().view")  # zoom and pan
        browser.mouse("mouseWheel", 500, 400, deltaX=0, deltaY=-300)
        browser.wait_for(f"window.minigraphExplorer.state().view.k > {view['k']}")
        browser.mouse("mousePressed", 300, 600, button="left", clickCount=1)
        browser.mouse("mouseMoved", 380, 650, button="left")
        browser.mouse("mouseReleased", 380, 650, button="left", clickCount=1)
        moved = browser.evaluate("window.minigraphExplorer.state().view")
        assert moved["k"] > view["k"] and moved["x"] != view["x"] and moved["y"] != view["y"]
        browser.click("#fit")

        browser.click(f'.node[data-key="{kernel}"]', count=2)  # a variable's own group opens
        state = browser.evaluate("window.minigraphExplorer.state().expanded")
        assert {"model", "model/kernel"} <= set(state)
        read = key_of(page.data, "model/kernel/read")
        assert browser.evaluate(f"!!document.querySelector('.node[data-key=\"{read}\"]')")
        browser.click("#collapse-all")

        for _ in range(3):                                               # step through
            browser.click("#step-next")
        assert text_of(browser, "#step-label").startswith(f"step 3 of {len(steps)}: ")
        assert text_of(browser, "#step-label").endswith(steps[2])
        assert browser.evaluate("document.querySelectorAll('.node.current').length") == 1
        browser.click("#step-last")
        last = f"step {len(steps)} of {len(steps)}: AssignAdd Adam"  # the increment is last
        assert text_of(browser, "#step-label") == last
        assert text_of(browser, "#details-name") == "Adam"
        browser.click("#fit")
        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(str(ARTIFACTS / "explorer_seed_training_step.png"))
        assert browser.requests == [(tmp_path / "seed.html").as_uri()]  # the page itself only
        assert browser.console_errors == []


def deep_training_graph(layers=100, width=8):
    """An MLP of `layers` dense layers with Adam: about 50 ops per layer."""
    h = x = tf.placeholder(tf.float32, [None, width], name="x")
    for i in range(layers):
        with tf.variable_scope(f"layer_{i}"):
            w = tf.get_variable("kernel", [width, width])
            b = tf.get_variable("bias", [width], initializer=tf.zeros_initializer())
            h = tf.nn.relu(tf.matmul(h, w) + b)
    return x, tf.train.AdamOptimizer(0.01).minimize(tf.reduce_mean(tf.square(h)))


def test_a_5000_op_graph_opens_and_stays_responsive(tmp_path):
    deep_training_graph()
    graph = tf.get_default_graph()
    assert len(graph.get_operations()) >= 5000
    viz.explore(graph, str(tmp_path / "big.html"))
    with cdp.Browser(width=1400, height=900) as browser:
        seconds = browser.open((tmp_path / "big.html").as_uri())
        load_ms = browser.evaluate("window.minigraphExplorer.loadMs")
        browser.click('.node[data-key="sgradients"]')
        open_ms = browser.evaluate("window.minigraphExplorer.lastRenderMs")
        browser.click("#expand-all")
        all_ms = browser.evaluate("window.minigraphExplorer.lastRenderMs")
        nodes = browser.evaluate("document.querySelectorAll('#viewport .node').length")
        record("5,000-op graph", ops=len(graph.get_operations()), open_seconds=round(seconds, 3),
               script_ms=round(load_ms, 1), open_gradients_ms=round(open_ms, 1),
               expand_all_ms=round(all_ms, 1), nodes_drawn_expanded=nodes)
        assert nodes >= 5000 - 100  # every op is a node once everything is open
        browser.screenshot(str(ARTIFACTS / "explorer_5000_ops_expanded.png"))
        assert browser.console_errors == []
        assert browser.requests == [(tmp_path / "big.html").as_uri()]


def test_the_notebook_view_works_inside_a_host_page(tmp_path):
    """What Jupyter does with `_repr_html_`: put the iframe into its own page."""
    x = tf.placeholder(tf.float32, [2], name="x")
    with tf.name_scope("layer"):
        y = tf.square(x, name="y")
    with tf.Session() as sess:
        cell = viz.explore(y, session=sess, feed_dict={x: [1.0, 2.0]})._repr_html_()
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body><h1>Out[1]:</h1>{cell}</body></html>")
    inner = "document.querySelector('iframe').contentDocument"
    with cdp.Browser(width=1200, height=800) as browser:
        browser.open(host.as_uri(),
                     ready="document.querySelector('iframe')?.contentDocument?.body?.dataset.ready")
        keys = browser.evaluate(f"[...{inner}.querySelectorAll('.node')].map(n => n.dataset.key)")
        assert keys == ["o0", "slayer"]
        assert browser.evaluate(f"{inner}.getElementById('step-label').textContent") == \
            "before step 1 of 1"
        assert browser.console_errors == []
        assert browser.requests == [host.as_uri()]
