"""The `import minigraph as tf` namespace: TF1 names exist, are spelled exactly, and resolve
to the one definition in their owning module."""

import builtins

import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.framework import graph
from minigraph.runtime import session
from minigraph.ops import variables
from minigraph.ops import check_ops, control_flow_ops
from minigraph.framework.registry import OP_TABLE

CORE_NAMES = [
    # graph
    "Graph", "Operation", "Tensor", "GraphKeys", "get_default_graph", "reset_default_graph",
    "name_scope", "control_dependencies", "device", "add_to_collection", "add_to_collections",
    "get_collection", "get_collection_ref", "get_default_session", "colocate_with",
    # dtypes and shapes
    "DType", "as_dtype", "float16", "half", "float32", "float64", "double", "int8", "int16",
    "int32", "int64", "uint8", "uint16", "bool", "string", "complex64", "complex128",
    "TensorShape", "Dimension",
    # constants, placeholders, conversion
    "constant", "placeholder", "placeholder_with_default", "convert_to_tensor",
    "get_static_value",
    # variables
    "Variable", "global_variables", "trainable_variables", "local_variables",
    "model_variables", "global_variables_initializer", "local_variables_initializer",
    "variables_initializer", "initialize_all_variables", "report_uninitialized_variables",
    "assert_variables_initialized", "is_variable_initialized", "get_variable",
    "variable_scope", "get_variable_scope", "VariableScope", "AUTO_REUSE",
    "zeros_initializer", "ones_initializer", "constant_initializer",
    "random_normal_initializer", "truncated_normal_initializer", "random_uniform_initializer",
    "glorot_uniform_initializer", "glorot_normal_initializer", "variance_scaling_initializer",
    "assign", "assign_add", "assign_sub",
    # session and gradients
    "Session", "InteractiveSession", "gradients", "UnconnectedGradients", "AggregationMethod",
    # control ops
    "no_op", "group", "tuple", "Print", "print", "check_numerics", "add_check_numerics_ops",
    "verify_tensor_all_finite", "Assert", "assert_equal", "assert_less", "assert_less_equal",
    "assert_positive", "assert_non_negative", "assert_rank",
    # namespaces
    "errors", "dtypes", "nn", "train",
]


@pytest.mark.parametrize("name", CORE_NAMES)
def test_core_name_exists(name):
    assert hasattr(tf, name), f"tf.{name} is missing"


def test_every_name_in_all_resolves():
    missing = [n for n in tf.__all__ if not hasattr(tf, n)]
    assert not missing


def test_builtin_shadowing_names_are_renamed_versions_of_the_underscore_functions():
    assert tf.tuple is control_flow_ops.tuple_ and tf.print is check_ops.print_
    assert tf.tuple is not builtins.tuple and tf.print is not builtins.print
    assert "tuple_" not in tf.__all__ and "print_" not in tf.__all__


def test_names_are_defined_once_in_their_owning_module():
    assert tf.Graph is graph.Graph and tf.Session is session.Session
    assert tf.Variable is variables.Variable and tf.group is control_flow_ops.group
    assert tf.errors is errors
    assert tf.errors.InvalidArgumentError.__module__ == "minigraph.framework.errors"


def test_error_classes_exposed_with_tf_names():
    for name in ("OpError", "InvalidArgumentError", "FailedPreconditionError",
                 "NotFoundError", "OutOfRangeError", "UnimplementedError", "InternalError"):
        cls = getattr(tf.errors, name)
        assert issubclass(cls, tf.errors.OpError)


def test_core_op_types_are_registered_under_tf_op_type_strings():
    for op_type in ("Const", "Placeholder", "PlaceholderWithDefault", "VariableV2", "Assign",
                    "AssignAdd", "AssignSub", "Identity", "NoOp", "Print", "PrintV2",
                    "CheckNumerics", "Assert", "IsVariableInitialized", "AddV2", "Mul"):
        assert op_type in OP_TABLE
        assert OP_TABLE[op_type].op_type == op_type


def test_op_table_is_read_only():
    with pytest.raises(TypeError):
        OP_TABLE["Fake"] = object


def test_every_registered_op_overrides_infer_and_compute():
    from minigraph.framework.registry import OpDef

    lacking = [t for t, cls in OP_TABLE.items()
               if cls.infer is OpDef.infer or cls.compute is OpDef.compute]
    assert not lacking, f"registered ops without their own infer/compute: {lacking}"
