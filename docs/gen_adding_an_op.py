"""Refresh the op blocks quoted in docs/adding_an_op.md from the code they quote.

Each quoted block follows a marker `<!-- SOURCE: minigraph/ops/<file>.py Name name ... -->`
and is exactly those top-level definitions of that file, in that order (decorators
included). tests/test_docs_op_example.py fails when a quote drifts from the code.
Run: python docs/gen_adding_an_op.py
"""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "adding_an_op.md"
MARKER = re.compile(r"(<!-- SOURCE: (\S+) ([^>]+?) -->\n```python\n)(.*?)(```)", re.DOTALL)


def definitions(path: str, names: list) -> str:
    """The source of the top-level definitions `names` of `path`, two blank lines apart."""
    source = (ROOT / path).read_text()
    lines = source.splitlines()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            found[node.name] = "\n".join(lines[start:node.end_lineno])
    missing = [n for n in names if n not in found]
    if missing:
        raise LookupError(f"{path} defines no {', '.join(missing)} (docs/adding_an_op.md)")
    return "\n\n\n".join(found[n] for n in names) + "\n"


def render(text: str) -> str:
    return MARKER.sub(lambda m: m.group(1) + definitions(m.group(2), m.group(3).split())
                      + m.group(5), text)


if __name__ == "__main__":
    PAGE.write_text(render(PAGE.read_text()))
