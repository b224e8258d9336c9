"""Draw the pictures of the docs with minigraph's own exports.

images/seed_training_step.png is the README picture; images/viz_*.png illustrate
docs/visualization.md (the small linear model of that page, drawn three ways).

Run `python docs/make_images.py` after `pip install -e ".[viz]"` and with Graphviz `dot` on PATH
(`apt-get install graphviz`). The graph is built by examples/seed_program.py itself (its session
loop only runs as a script) and drawn by minigraph.viz, so the picture always shows what the
code builds.
"""

from __future__ import annotations

import pathlib
import runpy

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


def main() -> None:
    visualization_pictures()
    tf.reset_default_graph()
    program = runpy.run_path(str(ROOT / "examples" / "seed_program.py"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    viz.render(tf.get_default_graph(), str(OUT), fetches=[program["train_op"]],
               collapse_scopes=COLLAPSED, edge_labels=False)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
