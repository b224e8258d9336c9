"""Iterators over datasets: the graph ops and the TF1 `Iterator` class.

Lives here: `IteratorV2` and `OneShotIterator` (the iterator handle: its value is the
iterator's state dict in the running session), `MakeIterator` (the initializer: evaluates
the tensors the pipeline reads and starts it), `IteratorGetNext` (the next element, or
OutOfRangeError at the end), the string handles of feedable iterators, and `Iterator` with
make_one_shot_iterator, make_initializable_iterator, from_structure / make_initializer,
from_string_handle and get_next. The state of
a pipeline lives in the session, so a new session starts every pipeline afresh.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import (FailedPreconditionError, InvalidArgumentError, OutOfRangeError,
                                describe_caller)
from ..framework.tensor import Spec, Tensor
from ..framework.registry import OpDef, no_gradient, register_op
from ..framework.shapes import TensorShape
from . import structure as _structure
from .dataset_ops import BUILDERS, Dataset, Environment, run_generator_safely

__all__ = ["Iterator", "make_one_shot_iterator", "make_initializable_iterator",
           "get_output_types", "get_output_shapes", "get_output_classes"]


def _handle_spec():
    return Spec(_dtypes.resource, TensorShape([]))


def _start(ctx, state, dataset, tensors, values):
    env = Environment(ctx.session, tensors, values)
    state["iterator"] = dataset.iterate(env)


@register_op("IteratorV2")
class IteratorHandle(OpDef):
    """The handle of an iterator: its value is the iterator's state in this session."""

    uses_context = True
    stateful = True

    @staticmethod
    def infer(*, shared_name="", container="", output_types=(), output_shapes=()):
        return _handle_spec()

    @staticmethod
    def compute(ctx, op, **attrs):
        return np.array(ctx.state(op), dtype=object)

    gradient = staticmethod(no_gradient)


@register_op("OneShotIterator")
class OneShotIterator(OpDef):
    """An iterator handle that starts its dataset the first time it runs in a session."""

    uses_context = True
    stateful = True

    @staticmethod
    def infer(*inputs, dataset, output_types=(), output_shapes=()):
        return _handle_spec()

    @staticmethod
    def compute(ctx, op, *values, dataset, **attrs):
        state = ctx.state(op)
        if "iterator" not in state:
            _start(ctx, state, dataset, op.inputs, values)
        return np.array(state, dtype=object)

    gradient = staticmethod(no_gradient)


@register_op("MakeIterator")
class MakeIterator(OpDef):
    """(Re)start the iterator behind `iterator` on `dataset`, reading the inputs' values."""

    uses_context = True
    stateful = True

    @staticmethod
    def infer(handle, *inputs, dataset):
        return []

    @staticmethod
    def compute(ctx, op, handle, *values, dataset):
        _start(ctx, handle[()], dataset, op.inputs[1:], values)

    gradient = staticmethod(no_gradient)


@register_op("IteratorGetNext")
class IteratorGetNext(OpDef):
    """The next element of the iterator; OutOfRangeError once the dataset is exhausted."""

    inputs = ("iterator",)
    stateful = True

    @staticmethod
    def infer(handle, *, output_types, output_shapes):
        return [Spec(t, s) for t, s in zip(output_types, output_shapes)]

    @staticmethod
    def compute(handle, *, output_types, output_shapes):
        iterator = handle[()].get("iterator")
        if iterator is None:
            raise FailedPreconditionError(
                None, None, "GetNext() failed because the iterator has not been initialized. "
                "Ensure that you have run the initializer operation for this iterator before "
                "getting the next element.")
        try:
            element = run_generator_safely(iterator)
        except StopIteration:
            handle[()]["iterator"] = iter(())
            raise OutOfRangeError(None, None, "End of sequence") from None
        element = tuple(np.asarray(v, dtype=object) if t == _dtypes.string else v
                        for v, t in zip(element, output_types))
        return element if len(element) != 1 else element[0]

    gradient = staticmethod(no_gradient)


@register_op("IteratorToStringHandle")
class IteratorToStringHandle(OpDef):
    """A string naming the iterator in this session (for from_string_handle)."""

    inputs = ("resource_handle",)
    uses_context = True
    stateful = True

    @staticmethod
    def infer(handle):
        return Spec(_dtypes.string, TensorShape([]))

    @staticmethod
    def compute(ctx, op, handle):
        name = op.inputs[0].op.name
        ctx.session.kernel_state(_HANDLES)[name] = handle[()]
        return np.array(name.encode(), dtype=object)

    gradient = staticmethod(no_gradient)


@register_op("IteratorFromStringHandleV2")
class IteratorFromStringHandle(OpDef):
    """The iterator whose string_handle() was fed: get_next reads that iterator."""

    inputs = ("string_handle",)
    uses_context = True
    stateful = True

    @staticmethod
    def infer(string_handle, *, output_types=(), output_shapes=()):
        if string_handle.dtype.base_dtype != _dtypes.string:
            raise TypeError(f"from_string_handle needs a string handle, got "
                            f"{string_handle.dtype.name}. Fix: feed tf.string placeholder.")
        return _handle_spec()

    @staticmethod
    def compute(ctx, op, string_handle, **attrs):
        value = np.asarray(string_handle, dtype=object)[()]
        name = value.decode() if isinstance(value, bytes) else str(value)
        state = ctx.session.kernel_state(_HANDLES).get(name)
        if state is None:
            raise InvalidArgumentError(
                None, None, f"No iterator with string handle {name!r} in this session. Fix: "
                "feed the value of sess.run(iterator.string_handle()) from this session.")
        return np.array(state, dtype=object)

    gradient = staticmethod(no_gradient)


_HANDLES = "tf.data string handles"  # the session's kernel-state key of the handle registry


class Iterator(_structure.HasElementSpec):
    """Reads the elements of a dataset inside a session, one `get_next()` run at a time.

    Example (train/test switching):
        it = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
        x = it.get_next(); train_init = it.make_initializer(train)
    """

    def __init__(self, handle: Tensor, initializer, spec):
        self._handle = handle
        self._initializer = initializer
        self._spec = spec

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def one_shot(cls, dataset: Dataset) -> "Iterator":
        inputs = dataset.graph_inputs()
        _refuse_placeholders(inputs)
        types, shapes = _flat_attrs(dataset.element_spec)
        handle = OneShotIterator.apply(inputs, name="OneShotIterator", dataset=dataset,
                                       output_types=types, output_shapes=shapes)
        return cls(handle, None, dataset.element_spec)

    @classmethod
    def initializable(cls, dataset: Dataset, shared_name=None) -> "Iterator":
        iterator = cls.from_structure(dataset.element_spec, shared_name=shared_name)
        iterator._initializer = iterator.make_initializer(dataset)
        return iterator

    @staticmethod
    def from_structure(output_types, output_shapes=None, shared_name=None,
                       output_classes=None) -> "Iterator":
        """An iterator of a given element structure, to be started by make_initializer."""
        spec = output_types if _all_specs(output_types) else \
            _structure.normalize_types(output_types, output_shapes)
        types, shapes = _flat_attrs(spec)
        handle = IteratorHandle.apply([], name="Iterator", shared_name=shared_name or "",
                                      output_types=types, output_shapes=shapes)
        return Iterator(handle, None, spec)

    def make_initializer(self, dataset: Dataset, name=None):
        """The op that starts this iterator on `dataset` (whose structure must match)."""
        if not isinstance(dataset, Dataset):
            raise TypeError(f"make_initializer expects a Dataset, got {type(dataset).__name__}.")
        _check_compatible(self._spec, dataset.element_spec)
        return MakeIterator.apply([self._handle] + dataset.graph_inputs(),
                                  name=name or "MakeIterator", dataset=dataset)

    # -- use --------------------------------------------------------------------------------
    @property
    def initializer(self):
        if self._initializer is None:
            raise ValueError("Iterator does not have an initializer: a one-shot iterator "
                             "starts by itself, and an iterator from from_structure is "
                             "started by the op that make_initializer(dataset) returns.")
        return self._initializer

    def get_next(self, name=None):
        """The tensors of the next element, in the dataset's structure."""
        types, shapes = _flat_attrs(self._spec)
        outputs = IteratorGetNext.apply([self._handle], name=name or "IteratorGetNext",
                                        output_types=types, output_shapes=shapes)
        flat = [outputs] if isinstance(outputs, Tensor) else list(outputs)
        return _structure.pack(self._spec, flat)

    def string_handle(self, name=None):
        """A string tensor naming this iterator, to feed to from_string_handle."""
        return IteratorToStringHandle.apply([self._handle], name=name or
                                            "IteratorToStringHandle")

    @staticmethod
    def from_string_handle(string_handle, output_types, output_shapes=None,
                           output_classes=None) -> "Iterator":
        """A feedable iterator: get_next reads the iterator whose handle is fed."""
        spec = output_types if _all_specs(output_types) else \
            _structure.normalize_types(output_types, output_shapes)
        types, shapes = _flat_attrs(spec)
        handle = IteratorFromStringHandle.apply([string_handle], output_types=types,
                                                output_shapes=shapes)
        return Iterator(handle, None, spec)


def _all_specs(value) -> bool:
    leaves = _structure.flatten(value)
    return bool(leaves) and all(isinstance(x, _structure.TensorSpec) for x in leaves)


def _flat_attrs(spec):
    flat = _structure.flatten(spec)
    return tuple(s.dtype for s in flat), tuple(s.shape for s in flat)


def _check_compatible(expected, got):
    types_e, types_g = _structure.types_of(expected), _structure.types_of(got)
    flat_e, flat_g = _structure.flatten(expected), _structure.flatten(got)
    if len(flat_e) != len(flat_g) or repr(types_e) != repr(types_g):
        raise TypeError(f"Expected output types {_show(types_e)} but got dataset with output "
                        f"types {_show(types_g)}.")
    for e, g in zip(flat_e, flat_g):
        if not e.shape.is_compatible_with(g.shape):
            raise TypeError(f"Expected output shapes compatible with "
                            f"{_structure.shapes_of(expected)} but got dataset with output "
                            f"shapes {_structure.shapes_of(got)}.")


def _show(types) -> str:
    return repr(_structure.map_leaves(lambda d: _TypeName(d), types))


class _TypeName:
    def __init__(self, dtype):
        self.dtype = dtype

    def __repr__(self):
        return f"tf.{self.dtype.name}"


def _refuse_placeholders(inputs):
    """A one-shot iterator cannot read fed values (TF captures its inputs by value)."""
    seen, stack = set(), [t.op for t in inputs]
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == "Placeholder":
            raise ValueError(f"Cannot capture a placeholder (name:{op.name}, type:Placeholder) "
                             "by value. Fix: use make_initializable_iterator() and feed the "
                             "placeholder when running its initializer; called at "
                             f"{describe_caller()}.")
        stack.extend(t.op for t in op.inputs)


def make_one_shot_iterator(dataset: Dataset) -> Iterator:
    """`tf.data.make_one_shot_iterator(ds)`, the same as ds.make_one_shot_iterator()."""
    return dataset.make_one_shot_iterator()


def make_initializable_iterator(dataset: Dataset, shared_name=None) -> Iterator:
    """`tf.data.make_initializable_iterator(ds)`."""
    return dataset.make_initializable_iterator(shared_name)


def get_output_types(dataset_or_iterator):
    return dataset_or_iterator.output_types


def get_output_shapes(dataset_or_iterator):
    return dataset_or_iterator.output_shapes


def get_output_classes(dataset_or_iterator):
    return dataset_or_iterator.output_classes


BUILDERS["Iterator"] = Iterator
