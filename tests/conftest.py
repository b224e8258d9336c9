"""Shared fixtures: every test starts with a fresh default graph and no default session, and
every graph a test builds must export as a GraphDef that TensorFlow's op registry accepts."""

import weakref

import pytest

import minigraph as tf
from minigraph.export.graph_def import describe_value
from minigraph.export.lowering import import_problems, node_specs
from minigraph.framework import graph as _graph

_built = []  # weak references to every Graph created during the current test
_graph_init = tf.Graph.__init__


def _recording_init(self, *args, **kwargs):
    _graph_init(self, *args, **kwargs)
    _built.append(weakref.ref(self))


tf.Graph.__init__ = _recording_init


def _tf_import_problems(graph) -> list:
    """Problems TF's importer would report for `graph` (graphs with test-made ops skipped)."""
    ops = graph.get_operations()
    if any(not op.op_def.__module__.startswith("minigraph.") for op in ops):
        return []
    return import_problems(node_specs(graph, describe_value))


@pytest.fixture(autouse=True)
def fresh_graph(request):
    _graph._graph_stack().clear()
    _graph._session_stack().clear()
    _built.clear()
    tf.reset_default_graph()
    yield
    _graph._graph_stack().clear()
    _graph._session_stack().clear()
    if request.node.get_closest_marker("no_tf_export_check"):
        return
    problems = []
    for ref in _built:
        graph = ref()
        if graph is not None and graph.get_operations():
            problems += _tf_import_problems(graph)
    _built.clear()
    assert not problems, ("A graph this test built would not import into TensorFlow:\n"
                          + "\n".join(problems[:20]))


@pytest.fixture
def sess():
    with tf.Session() as s:
        yield s
