"""The ```python blocks of the README and docs run, in order, and print what they say.

Conventions for doc writers:
- The blocks of one page run top to bottom in one namespace and one fresh default graph,
  in a temporary working directory (files they write disappear).
- `print(...)  # text` means "this prints exactly `text`"; every such line must run.
- A block whose first line is `# not run` is skipped (an intentionally partial snippet).
- A block whose first line is `# needs: dot` or `# needs: tensorboard` runs only when that
  program or extra is installed; otherwise the test runs the rest and then reports a skip.
"""

import importlib.util
import pathlib
import re
import shutil
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGES = ["README.md", "docs/getting_started.md", "docs/architecture.md", "docs/convolutions.md",
         "docs/sparse_and_data.md", "docs/loops_and_rnns.md", "docs/course_programs.md"]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
EXPECTED_OUTPUT = re.compile(r"^\s*print\(.*\)\s+# (.*)$")
NEEDS = {
    "dot": lambda: shutil.which("dot") or shutil.which("graphviz-pure"),
    "tensorboard": lambda: importlib.util.find_spec("tensorboard"),
}


def python_blocks(page: str) -> list[tuple[int, str]]:
    """(line number of the first code line, code) for each ```python block of the page."""
    text = (ROOT / page).read_text()
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in BLOCK.finditer(text)]


def missing_need(code: str) -> str | None:
    first = code.splitlines()[0].strip()
    if not first.startswith("# needs:"):
        return None
    need = first.removeprefix("# needs:").strip()
    return None if NEEDS[need]() else need


def run_block(code: str, filename: str, namespace: dict) -> list[tuple[int, str]]:
    """Exec `code` in `namespace`; return (line, text) for each print the block itself made."""
    printed = []

    def recording_print(*args, sep=" ", end="\n", file=None, flush=False):
        caller = sys._getframe(1)
        if caller.f_code.co_filename == filename:
            printed.append((caller.f_lineno, sep.join(str(a) for a in args)))
        print(*args, sep=sep, end=end, file=file, flush=flush)

    namespace["print"] = recording_print
    exec(compile(code, filename, "exec"), namespace)
    return printed


def test_pages_have_snippets():
    for page in PAGES:
        assert python_blocks(page), f"{page} has no ```python block"


# A tf.data pipeline is Python objects that a GraphDef cannot carry: no TF import check there.
@pytest.mark.parametrize("page", [pytest.param(p, marks=pytest.mark.no_tf_export_check)
                                  if p == "docs/sparse_and_data.md" else p for p in PAGES])
def test_snippets_run_and_print_what_they_say(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    skipped, checked = [], 0
    for start, code in python_blocks(page):
        filename = f"{page}:{start}"
        if code.splitlines()[0].strip() == "# not run":
            continue
        need = missing_need(code)
        if need:
            skipped.append(f"{filename} (needs {need})")
            continue
        try:
            printed = run_block(code, filename, namespace)
        except Exception as e:
            raise AssertionError(f"snippet at {filename} failed: {type(e).__name__}: {e}") from e
        lines = code.splitlines()
        expected = {i + 1: m.group(1).strip() for i, line in enumerate(lines)
                    if (m := EXPECTED_OUTPUT.match(line))}
        for line, text in printed:
            if line in expected:
                assert text == expected[line], (
                    f"{page} line {start + line - 1}: printed {text!r}, the comment says "
                    f"{expected[line]!r}")
        never_ran = set(expected) - {line for line, _ in printed}
        assert not never_ran, f"{page}: print lines never ran: " + ", ".join(
            str(start + line - 1) for line in sorted(never_ran))
        checked += len(expected)
    assert checked > 0
    if skipped:
        pytest.skip("ran every other snippet; skipped " + "; ".join(skipped))
