"""Fetching a variable (or an assign's output) in the run that updates it, as TF 1.x does.

TF returns a fetched reference (the variable itself, the output of an assign) as the
variable's value at the end of the run: `sess.run([train_op, global_step])` gives the
incremented step. Reads inside the graph (`v/read`, `read_value()`, ops consuming the
variable) keep minigraph's deterministic order: before the writes they do not depend on.
The graphs are the builders of tests/data/record_fetch_after_update.py; the TF results it
recorded are in tests/data/fetch_after_update.json.
"""

import importlib.util
import json
import pathlib

import pytest

import minigraph as tf

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
RECORDED = json.loads((DATA / "fetch_after_update.json").read_text())["cases"]
_spec = importlib.util.spec_from_file_location("record_fetch_after_update",
                                               DATA / "record_fetch_after_update.py")
builders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(builders)


def run_case(build):
    fetches = build(tf)
    init = tf.global_variables_initializer()
    with tf.Session() as sess:
        results = set()
        for _ in range(3):
            sess.run(init)
            results.add(tuple(None if x is None else float(x) for x in sess.run(fetches)))
    assert len(results) == 1  # minigraph's order is deterministic
    return list(results.pop())


@pytest.mark.parametrize("build", [b for b in builders.CASES
                                   if b is not builders.reads_in_the_graph],
                         ids=lambda b: b.__name__)
def test_fetched_references_give_the_value_at_the_end_of_the_run(build):
    tf_results = RECORDED[build.__name__]["results"]
    assert len(tf_results) == 1  # TF answered the same in every one of its runs
    assert run_case(build) == pytest.approx(json.loads(next(iter(tf_results))))


def test_reads_inside_the_graph_keep_the_pre_update_order():
    """TF: v/read and read_value() mostly show 5.0 (they share the variable's buffer, which
    the assign overwrites in place) and `v * 1.0` 1.0 or 5.0 by scheduling; minigraph reads
    before the write that does not depend on the read, every time."""
    recorded = RECORDED["reads_in_the_graph"]["results"]
    assert "[5.0, 5.0, 5.0, 1.0]" in recorded and "[5.0, 5.0, 5.0, 5.0]" in recorded
    assert run_case(builders.reads_in_the_graph) == [5.0, 1.0, 1.0, 1.0]


def test_training_loop_logs_on_the_incremented_step():
    """The ported idiom `step % N == 0` fires on the same steps as in TF."""
    step = tf.train.get_or_create_global_step()
    w = tf.Variable(3.0)
    train = tf.train.GradientDescentOptimizer(0.1).minimize(w * w, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        seen = [sess.run([train, step])[1] for _ in range(5)]
    assert seen == [1, 2, 3, 4, 5]


def test_fetched_assign_in_an_untaken_branch_has_no_value():
    v = tf.Variable(1.0)
    p = tf.placeholder(tf.bool, [])
    out = tf.cond(p, lambda: tf.assign_add(v, 1.0), lambda: tf.identity(v))
    inner = [op for op in tf.get_default_graph().get_operations() if op.type == "AssignAdd"]
    with tf.Session() as sess:
        sess.run(v.initializer)
        assert sess.run([out, inner[0].outputs[0]], {p: True}) == [2.0, 2.0]
        with pytest.raises(tf.errors.InvalidArgumentError, match="has no value in this run"):
            sess.run(inner[0].outputs[0], {p: False})
        assert sess.run([out, v], {p: False}) == [2.0, 2.0]
