"""`tf.data.Dataset`: the pipeline description, its in-memory and generator sources.

A Dataset is a Python description of a pipeline, built while the graph is built: the
graph tensors it reads (`from_tensor_slices(x)` reads `x`), its element structure
(`output_types`, `output_shapes`, `element_spec`) and, per node, a Python generator of
elements. Nothing runs until an iterator is initialized inside a session (iterator_ops.py):
its initializer evaluates the tensors the pipeline reads and starts the generators, whose
state then lives in that session. Elements travel as tuples of numpy arrays, one per
component. The transformations (batch, map, shuffle, ...) live in transformations.py; file
sources in readers.py.

TF1 note: the pipeline is not made of graph nodes; only the iterator ops are.
"""

from __future__ import annotations

import numpy as np

from ..framework import dtypes as _dtypes
from ..framework.errors import InvalidArgumentError, UnknownError
from ..framework.tensor import Tensor
from ..framework.shapes import TensorShape
from ..ops.constant_op import convert_to_tensor
from . import structure as _structure
from .structure import TensorSpec

__all__ = ["Dataset", "Environment", "BUILDERS"]

# The transformations and iterators, filled by transformations.py and iterator_ops.py (which
# import this module) so that Dataset's methods reach them without an import cycle.
BUILDERS: dict = {}


def _builder(name: str):
    try:
        return BUILDERS[name]
    except KeyError:
        raise ImportError(f"Dataset.{name} is not loaded: import minigraph.data (which loads "
                          "the transformations and iterators) first.") from None


class Environment:
    """What a running pipeline needs: the session, the values of the tensors it reads, the
    compiled map/filter functions and the shuffle random streams of one initialization."""

    def __init__(self, session, tensors, values):
        self.session = session
        self._values = dict(zip(tensors, values))
        self._callables = {}
        self._rngs = {}
        self._storage = {}

    def value(self, tensor: Tensor):
        return self._values[tensor]

    def call(self, function, element):
        """Run a map/filter function (compiled once per session) on one element."""
        run = self._callables.get(function)
        if run is None:
            captured = [self.value(t) for t in function.captured]
            run = self._callables[function] = function.compile(self.session, captured)
        return run(*element)

    def storage(self, dataset) -> dict:
        """A dict private to `dataset` for this initialization (cache's elements)."""
        return self._storage.setdefault(dataset, {})

    def random(self, dataset) -> tuple:
        """(seeds, Generator) of a shuffle for this initialization: its seeds, else seeds
        drawn once; the Generator continues across the epochs of a repeat."""
        if dataset not in self._rngs:
            seeds = dataset.seeds
            if seeds == (None, None):
                seeds = tuple(np.random.SeedSequence().generate_state(2))
            self._rngs[dataset] = (seeds, np.random.default_rng(list(seeds)))
        return self._rngs[dataset]


class Dataset(_structure.HasElementSpec):
    """A pipeline of elements (nested tuples/dicts of tensors), built from sources and
    transformations.

    Example:
        ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(100, seed=1).batch(32)
        features, labels = ds.make_one_shot_iterator().get_next()
    """

    def __init__(self, spec, inputs=(), children=()):
        self._spec = spec
        self._own_inputs = list(inputs)
        self._children = list(children)

    # -- what a node defines ---------------------------------------------------------------
    def iterate(self, env: Environment):
        """Yield the elements as tuples of numpy arrays (one per flattened component)."""
        raise NotImplementedError(f"{type(self).__name__} must define _iterate.")

    def graph_inputs(self) -> list:
        """Every graph tensor the pipeline reads, each once, in a fixed order."""
        seen, stack = {}, [self]
        while stack:
            node = stack.pop()
            for t in node._own_inputs:
                seen.setdefault(t, None)
            stack.extend(reversed(node._children))
        return list(seen)

    # -- structure: element_spec, output_types, output_shapes (HasElementSpec) -------------
    def flat_specs(self) -> list:
        return _structure.flatten(self._spec)

    def __iter__(self):
        raise RuntimeError("Iterating over a Dataset in Python is eager-mode behaviour. Fix: "
                           "use ds.make_one_shot_iterator().get_next() and run it in a "
                           "session until tf.errors.OutOfRangeError.")

    def __repr__(self):
        return f"<{type(self).__name__} shapes: {self.output_shapes}, types: " \
               f"{self.output_types}>"

    # -- sources -----------------------------------------------------------------------------
    @staticmethod
    def from_tensors(tensors) -> "Dataset":
        """A dataset with one element, `tensors`.  Example: from_tensors([1, 2]) -> [[1, 2]]."""
        return _TensorDataset(_structure.to_tensors(tensors))

    @staticmethod
    def from_tensor_slices(tensors) -> "Dataset":
        """One element per row of `tensors` (all components must have the same first dim).

        Example: `from_tensor_slices(([1, 2], [3., 4.]))` -> (1, 3.), (2, 4.).
        """
        return _TensorSliceDataset(_structure.to_tensors(tensors))

    @staticmethod
    def range(*args) -> "Dataset":
        """int64 elements like Python's range.  Example: `Dataset.range(1, 6, 2)` -> 1, 3, 5."""
        return _RangeDataset(*args)

    @staticmethod
    def from_generator(generator, output_types, output_shapes=None, args=None) -> "Dataset":
        """Elements yielded by `generator(*args)`, called anew at each initialization.

        Example: `from_generator(lambda: iter([[1], [2, 3]]), tf.int64, [None])`.
        """
        return _GeneratorDataset(generator, output_types, output_shapes, args)

    @staticmethod
    def list_files(file_pattern, shuffle=None, seed=None) -> "Dataset":
        """The file names matching `file_pattern` (shuffled unless shuffle=False)."""
        return _builder("list_files")(file_pattern, shuffle, seed)

    @staticmethod
    def zip(datasets) -> "Dataset":
        """Elements combine one element of each dataset (a tuple or dict of datasets)."""
        return _ZipDataset(datasets)

    # -- transformations (transformations.py) ------------------------------------------
    def concatenate(self, dataset) -> "Dataset":
        return _ConcatenateDataset(self, dataset)

    def batch(self, batch_size, drop_remainder=False) -> "Dataset":
        return _builder("BatchDataset")(self, batch_size, drop_remainder)

    def padded_batch(self, batch_size, padded_shapes=None, padding_values=None,
                     drop_remainder=False) -> "Dataset":
        return _builder("PaddedBatchDataset")(self, batch_size, padded_shapes,
                                                  padding_values, drop_remainder)

    def shuffle(self, buffer_size, seed=None, reshuffle_each_iteration=None) -> "Dataset":
        return _builder("ShuffleDataset")(self, buffer_size, seed,
                                              reshuffle_each_iteration)

    def repeat(self, count=None) -> "Dataset":
        return _builder("RepeatDataset")(self, count)

    def map(self, map_func, num_parallel_calls=None) -> "Dataset":
        return _builder("MapDataset")(self, map_func)

    def flat_map(self, map_func) -> "Dataset":
        return _builder("FlatMapDataset")(self, map_func)

    def interleave(self, map_func, cycle_length, block_length=1, num_parallel_calls=None):
        return _builder("InterleaveDataset")(self, map_func, cycle_length, block_length)

    def filter(self, predicate) -> "Dataset":
        return _builder("FilterDataset")(self, predicate)

    def take(self, count) -> "Dataset":
        return _builder("TakeDataset")(self, count)

    def skip(self, count) -> "Dataset":
        return _builder("SkipDataset")(self, count)

    def prefetch(self, buffer_size) -> "Dataset":
        return _builder("PrefetchDataset")(self, buffer_size)

    def cache(self, filename="") -> "Dataset":
        return _builder("CacheDataset")(self, filename)

    def unbatch(self) -> "Dataset":
        return _builder("UnbatchDataset")(self)

    def apply(self, transformation_func) -> "Dataset":
        """`transformation_func(self)`, which must return a Dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("`transformation_func` must return a Dataset, got "
                            f"{type(result).__name__}.")
        return result

    # -- iterators (iterator_ops.py) --------------------------------------------------------
    def make_one_shot_iterator(self):
        """An iterator initialized on first use in each session (no placeholders allowed)."""
        return _builder("Iterator").one_shot(self)

    def make_initializable_iterator(self, shared_name=None):
        """An iterator whose `.initializer` (re)starts the pipeline, reading fed values."""
        return _builder("Iterator").initializable(self, shared_name)


def _as_int64(value, name) -> Tensor:
    return convert_to_tensor(value, dtype=_dtypes.int64, name=name)


# -- sources -------------------------------------------------------------------------------
class _TensorDataset(Dataset):
    def __init__(self, tensors):
        self._flat = _structure.flatten(tensors)
        super().__init__(_structure.specs_of(tensors), inputs=self._flat)

    def iterate(self, env):
        yield tuple(env.value(t) for t in self._flat)


class _TensorSliceDataset(Dataset):
    def __init__(self, tensors):
        self._flat = _structure.flatten(tensors)
        first = TensorShape([None])
        for t in self._flat:
            if t.shape.ndims == 0:
                raise ValueError(f"Unbatching a tensor is only supported for rank >= 1 "
                                 f"({t.name} is a scalar). Fix: use from_tensors for one "
                                 "element.")
            if t.shape.ndims is not None:
                try:
                    first = first.merge_with(t.shape[:1])
                except ValueError:
                    raise ValueError(f"Dimensions {first[0].value} and {t.shape[0].value} are "
                                     "not compatible: every component of from_tensor_slices "
                                     "needs the same first dimension.") from None
        spec = _structure.map_leaves(
            lambda t: TensorSpec(t.shape[1:] if t.shape.ndims is not None else None,
                                 t.dtype.base_dtype), tensors)
        super().__init__(spec, inputs=self._flat)

    def iterate(self, env):
        arrays = [env.value(t) for t in self._flat]
        sizes = {np.shape(a)[0] for a in arrays}
        if len(sizes) > 1:
            raise InvalidArgumentError(None, None, f"All components of from_tensor_slices "
                                       f"must have the same first dimension; got sizes "
                                       f"{sorted(sizes)}. Fix: feed arrays of equal length.")
        for i in range(sizes.pop()):
            yield tuple(a[i] for a in arrays)


class _RangeDataset(Dataset):
    def __init__(self, *args):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range takes 1 to 3 arguments (stop; start, stop; or "
                             f"start, stop, step), got {len(args)}.")
        start, stop, step = (0, args[0], 1) if len(args) == 1 else (tuple(args) + (1,))[:3]
        self._args = [_as_int64(v, n) for v, n in zip((start, stop, step),
                                                     ("start", "stop", "step"))]
        super().__init__(TensorSpec([], _dtypes.int64), inputs=self._args)

    def iterate(self, env):
        start, stop, step = (int(env.value(t)) for t in self._args)
        if step == 0:
            raise InvalidArgumentError(None, None, "step must be a non-zero integer.")
        for i in range(start, stop, step):
            yield (np.int64(i),)


class _GeneratorDataset(Dataset):
    def __init__(self, generator, output_types, output_shapes, args):
        if not callable(generator):
            raise TypeError("`generator` must be callable (a function returning an iterator).")
        self._generator = generator
        self._args = [] if args is None else [convert_to_tensor(a, name="args")
                                              for a in (args if isinstance(args, (list, tuple))
                                                        else [args])]
        super().__init__(_structure.normalize_types(output_types, output_shapes),
                         inputs=self._args)

    def iterate(self, env):
        specs = self.flat_specs()
        for value in self._generator(*[env.value(a) for a in self._args]):
            try:
                flat = _flatten_like(self._spec, value)
                yield tuple(_structure.as_component(v, s, "generator")
                            for v, s in zip(flat, specs))
            except (TypeError, ValueError) as e:
                raise InvalidArgumentError(None, None, f"{type(e).__name__}: {e}") from e


def _flatten_like(spec, value) -> list:
    """Flatten a generated value up to the element structure `spec` (a list counts as a
    tuple where the structure has one)."""
    if isinstance(spec, dict):
        if not isinstance(value, dict) or sorted(value) != sorted(spec):
            raise TypeError(f"`generator` yielded an element that did not match the expected "
                            f"structure. The expected structure was {spec}, but the yielded "
                            f"element was {value!r}.")
        return [v for k in sorted(spec) for v in _flatten_like(spec[k], value[k])]
    if isinstance(spec, tuple):
        if not isinstance(value, (tuple, list)) or len(value) != len(spec):
            raise TypeError(f"`generator` yielded an element that did not match the expected "
                            f"structure. The expected structure was {spec}, but the yielded "
                            f"element was {value!r}.")
        return [v for s, item in zip(spec, value) for v in _flatten_like(s, item)]
    return [value]


class _ZipDataset(Dataset):
    def __init__(self, datasets):
        self._datasets = _structure.flatten(datasets)
        for d in self._datasets:
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip takes a tuple or dict of datasets, got {d!r}.")
        spec = _structure.pack(datasets, [d.element_spec for d in self._datasets])
        super().__init__(spec, children=self._datasets)

    def iterate(self, env):
        for parts in zip(*(d.iterate(env) for d in self._datasets)):
            yield tuple(v for part in parts for v in part)


class _ConcatenateDataset(Dataset):
    def __init__(self, first, second):
        a, b = first.flat_specs(), second.flat_specs()
        if [s.dtype for s in a] != [s.dtype for s in b] or len(a) != len(b):
            raise TypeError(f"Two datasets to concatenate have different types "
                            f"{first.output_types} and {second.output_types}.")
        flat = [TensorSpec(x.shape.most_specific_compatible_shape(y.shape), x.dtype)
                for x, y in zip(a, b)]
        super().__init__(_structure.pack(first.element_spec, flat), children=[first, second])

    def iterate(self, env):
        for child in self._children:
            yield from child.iterate(env)


def run_generator_safely(iterator):
    """next() of a pipeline; errors raised by user code become UnknownError (as in TF)."""
    try:
        return next(iterator)
    except StopIteration:
        raise
    except Exception as e:  # noqa: BLE001 - TF reports any other Python error as Unknown
        if isinstance(e, (InvalidArgumentError, UnknownError)) or hasattr(e, "error_code"):
            raise
        raise UnknownError(None, None, f"{type(e).__name__}: {e}") from e

