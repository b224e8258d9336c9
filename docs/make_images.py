"""Draw the pictures of the docs with minigraph's own exports.

images/seed_training_step.png is the README picture; images/viz_*.png illustrate
docs/visualization.md (the small linear model of that page, drawn three ways);
images/explorer.png is a screenshot of `viz.explore` on the seed's training step, taken in
headless Chromium (`apt-get install chromium`; skipped with a note when it is missing) with
the small DevTools driver of the tests (tests/export/cdp.py).

Run `python docs/make_images.py` after `pip install -e ".[viz]"` and with Graphviz `dot` on PATH
(`apt-get install graphviz`). The graph is built by examples/seed_program.py itself (its session
loop only runs as a script) and drawn by minigraph.viz, so the picture always shows what the
code builds.
"""

from __future__ import annotations

import pathlib
import runpy
import sys
import tempfile

import minigraph as tf
from minigraph import viz

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "images" / "seed_training_step.png"

# Every op of the step is ~120 boxes: too many to read at page width. The four scopes that do
# bulk arithmetic become one box each ("gradients, 39 ops"); the model, the Adam scope (its
# slots, ApplyAdam updates and the global_step increment) and the global_step stay open.
COLLAPSED = ["gradients", "clip_by_global_norm", "PolynomialDecay", "warmup"]


def visualization_pictures() -> None:
    """The example graph of docs/visualization.md: full, collapsed, matplotlib preview."""
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 3], name="x")
    w = tf.Variable(tf.ones([3, 1]), name="w")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w)), name="loss")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    images = ROOT / "docs" / "images"
    for name, options in (("viz_full.png", {"fetches": [train]}),
                          ("viz_collapsed.png", {"fetches": [train], "collapse_scopes": True}),
                          ("viz_matplotlib.png", {"fetches": [train], "engine": "matplotlib"})):
        viz.render(tf.get_default_graph(), str(images / name), **options)
        print(f"wrote docs/images/{name}")


def explorer_picture(program) -> None:
    """The explorer of the seed's 11th training step (10 steps trained, so the warmup has
    started and the updates move): the kernel's ApplyAdam found by the search (which opens
    its scopes) and selected at its step of the run, its values in the panel."""
    sys.path.insert(0, str(ROOT / "tests" / "export"))
    import cdp  # here: the tests' DevTools driver, importable once its folder is on the path

    if cdp.find_chromium() is None:
        print("skipped docs/images/explorer.png: no Chromium (apt-get install chromium)")
        return
    feed = {program["x"]: program["features"], program["y"]: program["targets"]}
    fetches = [program["train_op"], program["loss"]]
    with tf.Session() as sess, tempfile.TemporaryDirectory() as tmp:
        sess.run(tf.global_variables_initializer())
        for _ in range(10):
            sess.run(program["train_op"], feed)
        page = pathlib.Path(tmp) / "explorer.html"
        data = viz.explore(fetches, str(page), session=sess, feed_dict=feed).data
        names = [data["ops"][i]["n"] for i in data["steps"]]
        step = names.index("Adam/update_model/kernel/ApplyAdam") + 1
        with cdp.Browser(width=1500, height=900) as browser:
            browser.open(page.as_uri())
            browser.evaluate("(() => { const s = document.getElementById('search');"
                             " s.value = 'kernel/ApplyAdam'; s.dispatchEvent(new Event('input'));"
                             " })()")
            browser.click("#matches li[data-op]")  # opens Adam/update_model/kernel
            browser.evaluate(f"(() => {{ const r = document.getElementById('step-range');"
                             f" r.value = '{step}'; r.dispatchEvent(new Event('input')); }})()")
            browser.click("#fit")
            browser.screenshot(str(ROOT / "docs" / "images" / "explorer.png"))
    print("wrote docs/images/explorer.png")


def main() -> None:
    visualization_pictures()
    tf.reset_default_graph()
    program = runpy.run_path(str(ROOT / "examples" / "seed_program.py"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    viz.render(tf.get_default_graph(), str(OUT), fetches=[program["train_op"]],
               collapse_scopes=COLLAPSED, edge_labels=False)
    print(f"wrote {OUT.relative_to(ROOT)}")
    explorer_picture(program)


if __name__ == "__main__":
    main()
