"""The Dataset transformations: batch, padded_batch, shuffle, repeat, map, flat_map,
interleave, filter, take, skip, prefetch, cache, unbatch.

Each is a Dataset node whose `_iterate` consumes its input's generator. `map` and `filter`
call the user's function once, while building, on placeholders shaped like one element: the
ops it creates are ordinary graph ops, compiled once per session (a plan, as for
`Session.run`) and run on each element.

TF1 note: shuffle draws from numpy's generator, so orders differ from TF's (TF's random
stream cannot be reproduced); as in TF, a seed makes the order the same at every
initialization and in every session, and each epoch of a repeat is shuffled anew.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError
from ..framework.graph import get_default_graph
from ..framework.shapes import TensorShape, as_shape
from ..ops.constant_op import convert_to_tensor, get_static_value, placeholder
from ..ops.random_ops import get_seed
from . import structure as _structure
from .dataset_ops import BUILDERS, Dataset, Environment
from .structure import TensorSpec

__all__ = ["BatchDataset", "PaddedBatchDataset", "ShuffleDataset", "RepeatDataset",
           "MapDataset", "FlatMapDataset", "InterleaveDataset", "FilterDataset", "TakeDataset",
           "SkipDataset", "PrefetchDataset", "CacheDataset", "UnbatchDataset",
           "DatasetFunction"]


def _int64(value, name):
    return convert_to_tensor(value, dtype=_dtypes.int64, name=name)


def _static_int(tensor):
    value = get_static_value(tensor)
    return None if value is None else int(value)


class _Unary(Dataset):
    """A transformation of one input dataset, reading some scalar int64 arguments."""

    def __init__(self, input_dataset, spec, **scalars):
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"Expected a Dataset, got {type(input_dataset).__name__}.")
        self._input = input_dataset
        self._scalars = {k: _int64(v, k) for k, v in scalars.items()}
        super().__init__(spec, inputs=list(self._scalars.values()), children=[input_dataset])

    def _scalar(self, env, key) -> int:
        return int(env.value(self._scalars[key]))


# -- batching ---------------------------------------------------------------------------
def _batched(spec, batch):
    return TensorSpec(TensorShape([batch]).concatenate(spec.shape), spec.dtype)


def _stack(elements, specs):
    """Stack a list of elements component-wise; shapes within a component must agree."""
    out = []
    for i, spec in enumerate(specs):
        items = [e[i] for e in elements]
        first = np.shape(items[0])
        for j, item in enumerate(items):
            if np.shape(item) != first:
                raise InvalidArgumentError(
                    None, None, f"Cannot batch tensors with different shapes in component "
                    f"{i}. First element had shape {list(first)} and element {j} had shape "
                    f"{list(np.shape(item))}. Fix: use padded_batch, or map the elements to "
                    "one shape first.")
        dtype = spec.dtype.as_numpy_dtype
        out.append(np.array(items, dtype=dtype) if dtype is object else
                   np.stack([np.asarray(x) for x in items]).astype(dtype, copy=False))
    return tuple(out)


def _batches(iterator, size, drop_remainder):
    if size <= 0:
        raise InvalidArgumentError(None, None, f"Batch size must be greater than zero, got "
                                   f"{size}.")
    while True:
        chunk = list(itertools.islice(iterator, size))
        if not chunk or (drop_remainder and len(chunk) < size):
            return
        yield chunk


class BatchDataset(_Unary):
    """Consecutive elements stacked along a new first axis."""

    def __init__(self, input_dataset, batch_size, drop_remainder=False):
        size = _int64(batch_size, "batch_size")
        batch = _static_int(size) if drop_remainder else None
        spec = _structure.map_leaves(lambda s: _batched(s, batch), input_dataset.element_spec)
        super().__init__(input_dataset, spec, batch_size=size)
        self._drop = bool(drop_remainder)

    def iterate(self, env):
        specs = self._input.flat_specs()
        for chunk in _batches(self._input.iterate(env), self._scalar(env, "batch_size"),
                              self._drop):
            yield _stack(chunk, specs)


class PaddedBatchDataset(_Unary):
    """Batches whose components are padded to `padded_shapes` (-1/None: the batch's max)."""

    def __init__(self, input_dataset, batch_size, padded_shapes, padding_values,
                 drop_remainder):
        specs = input_dataset.flat_specs()
        if padded_shapes is None:
            shapes = [TensorShape([None] * s.shape.ndims) if s.shape.ndims is not None
                      else s.shape for s in specs]
        else:
            shapes = _padded_shapes(input_dataset.element_spec, padded_shapes)
        values = [None] * len(specs) if padding_values is None else \
            _structure.flatten(padding_values)
        self._pads = [_pad_value(v, s) for v, s in zip(values, specs)]
        for spec, shape in zip(specs, shapes):
            if shape.ndims is None or spec.shape.ndims not in (None, shape.ndims) or any(
                    a is not None and b is not None and a > b
                    for a, b in zip(spec.shape.as_list() if spec.shape.ndims else [],
                                    shape.as_list())):
                raise ValueError(f"The padded shape {shape} is not compatible with the "
                                 f"corresponding input component shape {spec.shape}. Fix: "
                                 "give one dimension per dimension of the component.")
        size = _int64(batch_size, "batch_size")
        batch = _static_int(size) if drop_remainder else None
        flat = [TensorSpec(TensorShape([batch]).concatenate(shape), spec.dtype)
                for spec, shape in zip(specs, shapes)]
        super().__init__(input_dataset, _structure.pack(input_dataset.element_spec, flat),
                         batch_size=size)
        self._shapes, self._drop = shapes, bool(drop_remainder)

    def iterate(self, env):
        for chunk in _batches(self._input.iterate(env), self._scalar(env, "batch_size"),
                              self._drop):
            yield tuple(_pad(chunk, i, shape, pad)
                        for i, (shape, pad) in enumerate(zip(self._shapes, self._pads)))


def _padded_shapes(spec, padded_shapes) -> list:
    flat_shapes = []
    for shape in _flatten_up_to(spec, padded_shapes):
        dims = as_shape(shape).as_list() if not isinstance(shape, (list, tuple)) else shape
        flat_shapes.append(TensorShape([None if d is None or d == -1 else int(d)
                                        for d in dims]))
    return flat_shapes


def _flatten_up_to(spec, value) -> list:
    if isinstance(spec, dict):
        return [v for k in sorted(spec) for v in _flatten_up_to(spec[k], value[k])]
    if isinstance(spec, tuple):
        return [v for s, item in zip(spec, value, strict=True)
                for v in _flatten_up_to(s, item)]
    return [value]


def _pad_value(value, spec):
    if value is None:
        return b"" if spec.dtype == _dtypes.string else np.zeros((), spec.dtype.as_numpy_dtype)
    return np.asarray(value, dtype=spec.dtype.as_numpy_dtype)


def _pad(chunk, i, shape, pad):
    items = [np.asarray(e[i]) for e in chunk]
    ranks = {x.ndim for x in items}
    if ranks != {shape.ndims}:
        raise InvalidArgumentError(None, None, f"padded_batch: component {i} has rank "
                                   f"{sorted(ranks)} but the padded shape {shape} has rank "
                                   f"{shape.ndims}.")
    target = [d if d is not None else max(x.shape[k] for x in items)
              for k, d in enumerate(shape.as_list())]
    out = np.full([len(items)] + target, pad, dtype=np.asarray(pad).dtype)
    for j, x in enumerate(items):
        if any(a > b for a, b in zip(x.shape, target)):
            raise InvalidArgumentError(None, None, f"Attempted to pad to a smaller size than "
                                       f"the input element: element shape {list(x.shape)}, "
                                       f"padded shape {target}. Fix: pass -1 (or None) for "
                                       "dimensions that vary.")
        out[(j,) + tuple(slice(0, n) for n in x.shape)] = x
    return out


class UnbatchDataset(_Unary):
    """Each element split along its first axis into several elements."""

    def __init__(self, input_dataset):
        spec = _structure.map_leaves(
            lambda s: TensorSpec(s.shape[1:] if s.shape.ndims else None, s.dtype),
            input_dataset.element_spec)
        super().__init__(input_dataset, spec)

    def iterate(self, env):
        for element in self._input.iterate(env):
            sizes = {np.shape(v)[0] for v in element}
            if len(sizes) != 1:
                raise InvalidArgumentError(None, None, "unbatch needs components with the "
                                           f"same first dimension, got {sorted(sizes)}.")
            for k in range(sizes.pop()):
                yield tuple(v[k] for v in element)


# -- order and count --------------------------------------------------------------------
class ShuffleDataset(_Unary):
    """Elements drawn at random from a buffer of the next `buffer_size` elements."""

    def __init__(self, input_dataset, buffer_size, seed=None, reshuffle_each_iteration=None):
        super().__init__(input_dataset, input_dataset.element_spec, buffer_size=buffer_size)
        self.seeds = get_seed(seed)
        self._reshuffle = True if reshuffle_each_iteration is None else \
            bool(reshuffle_each_iteration)

    def iterate(self, env):
        size = self._scalar(env, "buffer_size")
        if size <= 0:
            raise InvalidArgumentError(None, None, f"buffer_size must be greater than zero, "
                                       f"got {size}.")
        seeds, rng = env.random(self)
        if not self._reshuffle:  # the same order at every epoch of this initialization
            rng = np.random.default_rng(list(seeds))
        source = self._input.iterate(env)
        buffer = list(itertools.islice(source, size))
        while buffer:
            j = int(rng.integers(len(buffer)))
            out = buffer[j]
            nxt = next(source, None)
            if nxt is None:
                buffer[j] = buffer[-1]
                buffer.pop()
            else:
                buffer[j] = nxt
            yield out


class RepeatDataset(_Unary):
    """The input `count` times (None or -1: forever)."""

    def __init__(self, input_dataset, count=None):
        super().__init__(input_dataset, input_dataset.element_spec,
                         count=-1 if count is None else count)

    def iterate(self, env):
        count, epoch = self._scalar(env, "count"), 0
        while count < 0 or epoch < count:
            produced = False
            for element in self._input.iterate(env):
                produced = True
                yield element
            if not produced:  # an empty input repeated forever is still empty
                return
            epoch += 1


class TakeDataset(_Unary):
    """At most `count` elements (-1: all)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset, input_dataset.element_spec, count=count)

    def iterate(self, env):
        count = self._scalar(env, "count")
        source = self._input.iterate(env)
        yield from (source if count < 0 else itertools.islice(source, count))


class SkipDataset(_Unary):
    """All but the first `count` elements (-1: none)."""

    def __init__(self, input_dataset, count):
        super().__init__(input_dataset, input_dataset.element_spec, count=count)

    def iterate(self, env):
        count = self._scalar(env, "count")
        if count < 0:
            return
        yield from itertools.islice(self._input.iterate(env), count, None)


class PrefetchDataset(_Unary):
    """The input unchanged. TF1 note: elements are produced on demand; no background
    thread prefetches them."""

    def __init__(self, input_dataset, buffer_size):
        super().__init__(input_dataset, input_dataset.element_spec, buffer_size=buffer_size)

    def iterate(self, env):
        return self._input.iterate(env)


class CacheDataset(_Unary):
    """The input, read once per initialization and replayed from memory afterwards.

    TF1 note: a `filename` is accepted but the cache is kept in memory.
    """

    def __init__(self, input_dataset, filename=""):
        super().__init__(input_dataset, input_dataset.element_spec)

    def iterate(self, env):
        store = env.storage(self)
        if "elements" in store:
            yield from store["elements"]
            return
        seen = []
        for element in self._input.iterate(env):
            seen.append(element)
            yield element
        store["elements"] = seen


# -- functions of elements ----------------------------------------------------------------
class DatasetFunction:
    """A user function on one element, built once into graph ops on placeholders.

    As in TF, a tuple element is passed as separate arguments, anything else (a tensor, a
    dict) as one; a list returned at the top level is taken as a tuple. Placeholders the
    function reads from outside are captured: their values are those fed when the iterator
    is initialized.
    """

    def __init__(self, fn, in_spec, label, returns_dataset=False):
        graph = get_default_graph()
        with graph.control_dependencies(None), graph.name_scope(label):
            self.placeholders = [placeholder(s.dtype, s.shape, name=f"arg{i}")
                                 for i, s in enumerate(_structure.flatten(in_spec))]
            args = _structure.pack(in_spec, self.placeholders)
            result = fn(*args) if type(args) is tuple else fn(args)
            if isinstance(result, list):
                result = tuple(result)
            if isinstance(result, Dataset) != returns_dataset:
                raise TypeError(f"The function passed to {label} must return "
                                f"{'a Dataset' if returns_dataset else 'tensors'}, got "
                                f"{type(result).__name__}. Fix: use "
                                f"{'map' if returns_dataset else 'flat_map or interleave'}.")
            if returns_dataset:  # the values it computes are what the inner pipeline reads
                self.dataset, self.spec = result, result.element_spec
                self.outputs = result.graph_inputs()
            else:
                outputs = _structure.to_tensors(result)
                self.outputs = _structure.flatten(outputs)
                self.spec = _structure.specs_of(outputs)
        self.captured = _captured_placeholders(self.outputs, self.placeholders)

    def inner(self, env, element):
        """The elements of the dataset the function returns for `element`."""
        values = env.call(self, element)
        return self.dataset.iterate(Environment(env.session, self.outputs, values))

    def compile(self, session, captured_values):
        run = session.make_callable(self.outputs, feed_list=self.placeholders + self.captured)
        return lambda *element: run(*element, *captured_values)


def _captured_placeholders(outputs, own) -> list:
    """Placeholders outside the function that its outputs depend on (in the order a
    depth-first walk from the outputs meets them)."""
    own_ops = {t.op for t in own}
    found, seen, stack = [], set(), [t.op for t in outputs]
    while stack:
        op = stack.pop()
        if op in seen or op in own_ops:
            continue
        seen.add(op)
        if op.type == "Placeholder":
            found.append(op.outputs[0])
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return found


class MapDataset(_Unary):
    """`map_func` applied to every element."""

    def __init__(self, input_dataset, map_func):
        self._function = DatasetFunction(map_func, input_dataset.element_spec, "Dataset_map")
        super().__init__(input_dataset, self._function.spec)
        self._own_inputs += self._function.captured

    def iterate(self, env):
        for element in self._input.iterate(env):
            yield tuple(env.call(self._function, element))


class FlatMapDataset(_Unary):
    """The elements of the datasets `map_func` returns for each input element, in turn."""

    def __init__(self, input_dataset, map_func):
        self._function = DatasetFunction(map_func, input_dataset.element_spec,
                                         "Dataset_flat_map", returns_dataset=True)
        super().__init__(input_dataset, self._function.spec)
        self._own_inputs += self._function.captured

    def iterate(self, env):
        for element in self._input.iterate(env):
            yield from self._function.inner(env, element)


class InterleaveDataset(_Unary):
    """Up to `cycle_length` of `map_func`'s datasets read in turn, `block_length` elements
    at a time; an exhausted one is replaced by the next input element's, as in TF."""

    def __init__(self, input_dataset, map_func, cycle_length, block_length=1):
        self._function = DatasetFunction(map_func, input_dataset.element_spec,
                                         "Dataset_interleave", returns_dataset=True)
        super().__init__(input_dataset, self._function.spec, cycle_length=cycle_length,
                         block_length=block_length)
        self._own_inputs += self._function.captured

    def iterate(self, env):
        cycle, block = self._scalar(env, "cycle_length"), self._scalar(env, "block_length")
        if cycle <= 0 or block <= 0:
            raise InvalidArgumentError(None, None, "cycle_length and block_length must be "
                                       f"positive, got {cycle} and {block}.")
        source, slots, index, input_done = self._input.iterate(env), [None] * cycle, 0, False
        while not input_done or any(slot is not None for slot in slots):
            if slots[index] is None and not input_done:
                element = next(source, None)
                input_done = element is None
                if element is not None:
                    slots[index] = self._function.inner(env, element)
            for _ in range(block if slots[index] is not None else 0):
                value = next(slots[index], None)
                if value is None:
                    slots[index] = None
                    break
                yield value
            index = (index + 1) % cycle


class FilterDataset(_Unary):
    """The elements for which `predicate` is True."""

    def __init__(self, input_dataset, predicate):
        self._function = DatasetFunction(predicate, input_dataset.element_spec, "Dataset_filter")
        spec = self._function.spec
        if not isinstance(spec, TensorSpec) or spec.dtype != _dtypes.bool or \
                not spec.shape.is_compatible_with([]):
            raise ValueError(f"`predicate` return type must be convertible to a scalar "
                             f"boolean tensor. Was {spec}.")
        super().__init__(input_dataset, input_dataset.element_spec)
        self._own_inputs += self._function.captured

    def iterate(self, env):
        for element in self._input.iterate(env):
            (keep,) = env.call(self._function, element)
            if keep:
                yield element


BUILDERS.update({cls.__name__: cls for cls in (
    BatchDataset, PaddedBatchDataset, ShuffleDataset, RepeatDataset, MapDataset, FilterDataset,
    TakeDataset, SkipDataset, PrefetchDataset, CacheDataset, UnbatchDataset, FlatMapDataset,
    InterleaveDataset)})
