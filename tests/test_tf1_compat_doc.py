"""docs/tf1_compat.md stays in sync with minigraph: its generated tables (supported names,
op table, survey coverage) must equal what docs/gen_tf1_compat.py produces now."""

import importlib.util
from pathlib import Path

import pytest

import minigraph as tf

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("gen_tf1_compat", DOCS / "gen_tf1_compat.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tf1_compat_doc_is_up_to_date(gen):
    text = (DOCS / "tf1_compat.md").read_text()
    fresh = gen.render(text)
    assert fresh == text, ("docs/tf1_compat.md is out of date with minigraph's public names or "
                           "op table. Fix: run `python docs/gen_tf1_compat.py` and commit "
                           "docs/tf1_compat.md.")


def test_generated_doc_lists_every_op_type_and_namespace_name(gen):
    text = (DOCS / "tf1_compat.md").read_text()
    from minigraph.framework.registry import OP_TABLE

    for op_type in OP_TABLE:
        assert f"| `{op_type}` |" in text, op_type
    for name in ("dense", "ConfigProto", "reduce_sum", "AdamOptimizer", "set_verbosity"):
        assert f"`{name}`" in text, name


def test_survey_resolution_follows_the_namespaces(gen):
    assert gen.resolve("nn.relu") is tf.nn.relu
    assert gen.resolve("layers.dense") is tf.layers.dense
    assert gen.resolve("train.AdamOptimizer") is tf.train.AdamOptimizer
    assert gen.resolve("data.Dataset") is tf.data.Dataset
    assert gen.resolve("estimator.Estimator") is None
    assert gen.resolve("contrib.layers.xavier_initializer") is not None
    assert gen.resolve("nn.numbers") is None   # a module attribute that is not a public name


def test_survey_counts_count_files_not_mentions(gen, tmp_path):
    survey = tmp_path / "survey.txt"
    survey.write_text("# header\n\nrepo a.py: Session nn.relu Session\n"
                      "repo b.py: Session estimator.Estimator\n")
    files = gen.read_survey(survey)
    assert [label for label, _ in files] == ["repo a.py", "repo b.py"]
    assert gen.survey_counts(files) == [("Session", 2), ("estimator.Estimator", 1), ("nn.relu", 1)]
    unsupported = gen.render_unsupported(files)
    assert "| `tf.estimator.Estimator` | 1 |" in unsupported and "Session" not in unsupported


def test_render_refuses_a_document_without_the_markers(gen):
    with pytest.raises(ValueError, match="generated parts"):
        gen.render("# no markers here\n")
