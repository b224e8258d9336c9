"""Every graph the examples build exports as a GraphDef that TensorFlow's registry accepts.

Each example runs in-process here (fast arguments), so tests/conftest.py's check sees every
graph it builds: each node a TF op with the attrs TF requires. (tests/test_examples.py runs
them as subprocesses, as users do, and checks their results.)
"""

import contextlib
import importlib.util
import io
import pathlib
import runpy
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"
FAST_ARGS = {"train_digits": ["--epochs", "1"], "onnx_round_trip": ["--steps", "5"],
             "train_cnn_digits": ["--epochs", "1"], "train_char_lstm": ["--epochs", "1"]}
NEEDS = {"train_digits": ["sklearn", "tqdm"], "onnx_round_trip": ["sklearn", "onnxruntime"],
         "train_cnn_digits": ["sklearn"]}
WRITES_FILES = {"train_digits", "onnx_round_trip"}  # these take --out


# A tf.data pipeline is Python objects that a GraphDef cannot carry (TF keeps it in function
# attrs): graphs with iterator ops are not checked against TF's registry.
USES_TF_DATA = {"word2vec", "train_char_lstm"}


@pytest.mark.parametrize("name", [
    pytest.param(p.stem, marks=pytest.mark.no_tf_export_check) if p.stem in USES_TF_DATA
    else p.stem for p in sorted(EXAMPLES.glob("*.py"))])
def test_example_graph_is_valid_for_tensorflow(name, tmp_path, monkeypatch):
    for module in NEEDS.get(name, []):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"needs {module}")
    args = FAST_ARGS.get(name, [])
    if name in WRITES_FILES:
        args = args + ["--out", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [str(EXAMPLES / f"{name}.py")] + args)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
