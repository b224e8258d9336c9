"""Regenerate the generated plan of the seed program's training step shown in the docs.

The pages hold it between `<!-- BEGIN GENERATED: seed plan -->` and `<!-- END GENERATED:
seed plan -->` (all of it in architecture.md; performance.md shows the lines from the first
kernel call on). tests/test_docs_plan.py fails when they drift from the code.
Run: python docs/gen_seed_plan.py
"""

from __future__ import annotations

import pathlib
import re
import runpy
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import minigraph as tf  # noqa: E402

PAGES = {"docs/architecture.md": None, "docs/performance.md": 14}  # page -> lines shown
MARKER = re.compile(r"(<!-- BEGIN GENERATED: seed plan -->\n```python\n)(.*?)(```\n"
                    r"<!-- END GENERATED: seed plan -->)", re.DOTALL)


def seed_plan_source() -> str:
    """The source of the plan behind one training step of examples/seed_program.py."""
    with tf.Graph().as_default():
        seed = runpy.run_path(str(ROOT / "examples" / "seed_program.py"), run_name="seed")
        feed = {seed["x"]: seed["features"], seed["y"]: seed["targets"]}
        fetches = [seed["train_op"], seed["loss"], seed["learning_rate"], seed["global_step"]]
        with tf.Session() as sess:
            return sess.plan_for(fetches, feed).source


def excerpt(source: str, lines: int | None) -> str:
    """All of `source`, or `lines` lines from the first kernel call, with a marker."""
    if lines is None:
        return source + "\n"
    body = source.splitlines()
    start = next(i for i, line in enumerate(body) if " = MatMul(" in line)
    return "\n".join(["    ...", *body[start:start + lines], "    ..."]) + "\n"


def render(page: str, text: str, source: str) -> str:
    block = excerpt(source, PAGES[page])
    return MARKER.sub(lambda m: m.group(1) + block + m.group(3), text)


def main() -> None:
    source = seed_plan_source()
    for page in PAGES:
        path = ROOT / page
        path.write_text(render(page, path.read_text(), source))


if __name__ == "__main__":
    main()
