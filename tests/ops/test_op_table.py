"""The op table is the single list of ops: every registered op must be exercised by a test.

A test file "mentions" an op when its TF op-type string appears in it (as in
`assert y.op.type == "MatMul"` or a parametrize list). A new op without a test fails here.
"""

import pathlib

from minigraph.framework.registry import OP_TABLE

TESTS = pathlib.Path(__file__).resolve().parent.parent
# Internal helper ops that are exercised only through the public functions built on them.
EXERCISED_INDIRECTLY = {"BroadcastGradientArgs", "ReducedShape"}


def test_every_registered_op_is_mentioned_by_a_test():
    text = "\n".join(p.read_text() for p in TESTS.rglob("test_*.py")
                     if p.name != "test_op_table.py")
    missing = sorted(t for t in OP_TABLE if t not in EXERCISED_INDIRECTLY
                     and f'"{t}"' not in text and f"'{t}'" not in text)
    assert not missing, (f"These registered ops have no test naming them: {missing}. Add a "
                         "forward, shape and gradient test to tests/ops/test_<family>.py.")


def test_indirect_helpers_are_covered_by_gradient_tests():
    assert EXERCISED_INDIRECTLY <= set(OP_TABLE)
