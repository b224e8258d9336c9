"""Regenerate the generated parts of docs/tf1_compat.md from minigraph itself.

Run `python docs/gen_tf1_compat.py` after adding or renaming a public name or an op; the test
tests/test_tf1_compat_doc.py fails while the document is out of date. Each generated part
sits between `<!-- BEGIN GENERATED: <part> -->` and `<!-- END GENERATED: <part> -->`;
everything outside those markers is hand-written and kept as it is.

Parts: `unsupported` (surveyed TF1 names minigraph lacks), `survey` (every surveyed name with
its count), `namespaces` (the public names of each TF namespace, by defining module) and
`ops` (the op table: op type, defining module, gradient).
"""

from __future__ import annotations

import collections
import functools
import inspect
import re
import sys
import types
from pathlib import Path

DOCS = Path(__file__).resolve().parent
DOC_PATH = DOCS / "tf1_compat.md"
SURVEY_PATH = DOCS / "tf1_survey.txt"
sys.path.insert(0, str(DOCS.parent))

import minigraph as tf  # noqa: E402  (after the path set-up, so the checkout is imported)
from minigraph.framework.registry import OP_TABLE, OpDef, no_gradient  # noqa: E402

# The namespaces a TF1 program reaches as `tf.<namespace>.<name>` ("" is `tf` itself).
NAMESPACES = ["", "nn", "train", "losses", "summary", "layers", "math", "random", "initializers",
              "logging", "errors", "io", "test", "metrics", "contrib.layers"]
MARKER = re.compile(r"(<!-- BEGIN GENERATED: (\w+) -->\n)(.*?)(<!-- END GENERATED: \2 -->)",
                    re.DOTALL)


# -- survey ---------------------------------------------------------------------------------
def read_survey(path: Path = SURVEY_PATH) -> list[tuple[str, set[str]]]:
    """Return [(file label, names used)] from the survey file (see its header)."""
    files = []
    for line in path.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, _, names = line.partition(": ")
        files.append((label.strip(), set(names.split())))
    return files


def resolve(dotted: str):
    """Return the minigraph object for a TF name such as "nn.relu", or None if missing."""
    obj = tf
    for part in dotted.split("."):
        if isinstance(obj, types.ModuleType):
            public = getattr(obj, "__all__", None)
            if public is not None and part not in public:
                return None
        if not hasattr(obj, part):
            return None
        obj = getattr(obj, part)
    return obj


def survey_counts(files) -> list[tuple[str, int]]:
    """Names by number of files using them (most used first, then alphabetical)."""
    counts = collections.Counter(name for _, names in files for name in names)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def render_unsupported(files) -> str:
    missing = [(n, c) for n, c in survey_counts(files) if resolve(n) is None]
    lines = [f"Surveyed TF1 names that `import minigraph as tf` does not provide "
             f"({len(missing)} names; count = files of {len(files)} using it):", "",
             "| TF1 name | Files |", "| --- | ---: |"]
    lines += [f"| `tf.{name}` | {count} |" for name, count in missing]
    return "\n".join(lines) + "\n"


def render_survey(files) -> str:
    counts = survey_counts(files)
    have = sum(resolve(n) is not None for n, _ in counts)
    uses = sum(c for _, c in counts)
    covered = sum(c for n, c in counts if resolve(n) is not None)
    lines = [f"{len(files)} files, {len(counts)} distinct names; minigraph provides {have} of "
             f"them, covering {covered} of {uses} (file, name) uses.", "",
             "| TF1 name | Files | In minigraph |", "| --- | ---: | :---: |"]
    lines += [f"| `tf.{name}` | {count} | {'yes' if resolve(name) is not None else 'no'} |"
              for name, count in counts]
    lines += ["", "Files surveyed:", ""]
    lines += [f"- {label}" for label, _ in files]
    return "\n".join(lines) + "\n"


# -- namespaces -----------------------------------------------------------------------------
def public_names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    return sorted(set(names))


def owner(obj) -> str:
    """Where a public object is defined: its module, "namespaces" or "constants"."""
    if isinstance(obj, types.ModuleType):
        return "namespaces"
    if inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismethod(obj):
        return obj.__module__
    module = type(obj).__module__
    return module if module.startswith("minigraph") else "constants"


def render_namespaces() -> str:
    lines = []
    for namespace in NAMESPACES:
        module = functools.reduce(getattr, namespace.split("."), tf) if namespace else tf
        title = f"tf.{namespace}" if namespace else "tf"
        groups = collections.defaultdict(list)
        for name in public_names(module):
            groups[owner(getattr(module, name))].append(name)
        total = sum(len(v) for v in groups.values())
        lines += [f"### `{title}` ({total} names)", "", "| Defined in | Names |", "| --- | --- |"]
        for where in sorted(groups):
            names = ", ".join(f"`{n}`" for n in groups[where])
            lines.append(f"| `{where}` | {names} |")
        lines.append("")
    return "\n".join(lines)


# -- op table -------------------------------------------------------------------------------
def gradient_kind(cls: type[OpDef]) -> str:
    gradient = getattr(cls, "gradient", None)
    if gradient is None:
        return "missing"
    if gradient is no_gradient:
        return "none (not differentiable)"
    return "yes"


def render_ops() -> str:
    kinds = collections.Counter(gradient_kind(cls) for cls in OP_TABLE.values())
    summary = ", ".join(f"{kind}: {count}" for kind, count in sorted(kinds.items()))
    lines = [f"{len(OP_TABLE)} op types registered (gradient {summary}).", "",
             "| Op type | Defined in | Gradient |", "| --- | --- | --- |"]
    for op_type in sorted(OP_TABLE):
        cls = OP_TABLE[op_type]
        lines.append(f"| `{op_type}` | `{cls.__module__}` | {gradient_kind(cls)} |")
    return "\n".join(lines) + "\n"


# -- the document ---------------------------------------------------------------------------
def parts() -> dict[str, str]:
    files = read_survey()
    return {"unsupported": render_unsupported(files), "survey": render_survey(files),
            "namespaces": render_namespaces(), "ops": render_ops()}


def render(text: str) -> str:
    """Return `text` with every generated part replaced by its current content."""
    generated = parts()
    found = {m.group(2) for m in MARKER.finditer(text)}
    if found != set(generated):
        raise ValueError(f"{DOC_PATH.name} must contain exactly the generated parts "
                         f"{sorted(generated)}; found {sorted(found)}.")
    return MARKER.sub(lambda m: m.group(1) + generated[m.group(2)] + m.group(4), text)


def main() -> None:
    text = DOC_PATH.read_text()
    new = render(text)
    if new != text:
        DOC_PATH.write_text(new)
        print(f"updated {DOC_PATH}")
    else:
        print(f"{DOC_PATH} is up to date")


if __name__ == "__main__":
    main()
