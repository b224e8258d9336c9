"""Shared fixtures: every test starts with a fresh default graph and no default session."""

import pytest

import minigraph as tf
from minigraph.framework import graph as _graph


@pytest.fixture(autouse=True)
def fresh_graph():
    _graph._graph_stack().clear()
    _graph._session_stack().clear()
    tf.reset_default_graph()
    yield
    _graph._graph_stack().clear()
    _graph._session_stack().clear()


@pytest.fixture
def sess():
    with tf.Session() as s:
        yield s
