"""tf.data datasets: sources, transformations and their structures, against recorded TF
values (tests/data/data_tf.json, written by tests/data/record_data.py)."""

import collections
import json
import pathlib

import numpy as np
import pytest

import minigraph as tf

# Iterator graphs hold their pipeline as Python objects, which a GraphDef cannot carry.
pytestmark = pytest.mark.no_tf_export_check

TF = json.loads((pathlib.Path(__file__).resolve().parent.parent / "data" / "data_tf.json")
                .read_text())["pipelines"]


def drain(dataset, sess=None):
    value = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as s:
        while True:
            try:
                out.append(s.run(value))
            except tf.errors.OutOfRangeError:
                return out


def listify(x):
    if isinstance(x, (tuple, list)):
        return [listify(v) for v in x]
    if isinstance(x, dict):
        return {k: listify(v) for k, v in x.items()}
    return np.asarray(x).tolist()


def test_padded_batch_matches_tf():
    ds = tf.data.Dataset.range(1, 6).map(
        lambda x: tf.fill([tf.cast(x, tf.int32)], tf.cast(x, tf.float32))) \
        .padded_batch(2, padded_shapes=[None], padding_values=-1.0)
    assert ds.output_shapes.as_list() == [None, None]
    assert listify(drain(ds)) == TF["padded_batch"]


def test_map_filter_batch_matches_tf():
    ds = tf.data.Dataset.range(10).map(lambda x: x * x).filter(
        lambda x: tf.equal(x % 2, 0)).batch(2)
    assert listify(drain(ds)) == TF["map_filter_batch"]


def test_zip_skip_matches_tf():
    ds = tf.data.Dataset.zip((tf.data.Dataset.range(8).skip(2),
                              tf.data.Dataset.range(100, 103)))
    assert listify(drain(ds)) == TF["zip_take_skip"]


def test_repeat_then_batch_with_drop_remainder_matches_tf():
    ds = tf.data.Dataset.range(3).repeat(3).batch(4, drop_remainder=True)
    assert ds.output_shapes.as_list() == [4]
    assert listify(drain(ds)) == TF["repeat_batch_drop"]


def test_dict_slices_keep_their_keys():
    ds = tf.data.Dataset.from_tensor_slices({"a": [1, 2, 3], "b": [[1.5], [2.5], [3.5]]})
    assert ds.output_types == {"a": tf.int32, "b": tf.float32}
    assert listify(drain(ds.batch(2))) == TF["dict_slices"]


def test_tuple_elements_are_unpacked_into_map_arguments():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2], [3, 4])).map(lambda a, b: (a + b, a * b))
    assert listify(drain(ds)) == TF["tuple_map"]


def test_structure_types_and_shapes_as_tf():
    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3], [[1.], [2.], [3.]])).batch(2)
    assert ds.output_types == (tf.int32, tf.float32)
    assert [s.as_list() for s in ds.output_shapes] == [[None], [None, 1]]
    assert tf.data.Dataset.range(3).output_types == tf.int64
    # A list is one tensor, not a structure.
    assert tf.data.Dataset.from_tensor_slices([1, 2]).output_types == tf.int32
    spec = tf.data.Dataset.range(3).element_spec
    assert spec.dtype == tf.int64 and spec.shape.as_list() == []


def test_from_tensors_is_one_element_and_take():
    assert listify(drain(tf.data.Dataset.from_tensors([1, 2]))) == [[1, 2]]
    assert listify(drain(tf.data.Dataset.range(10).take(3))) == [0, 1, 2]
    assert listify(drain(tf.data.Dataset.range(4).take(-1))) == [0, 1, 2, 3]


def test_from_generator_checks_types_and_shapes():
    def gen():
        yield 1, [1.0]
        yield 2, [2.0, 3.0]

    ds = tf.data.Dataset.from_generator(gen, (tf.int64, tf.float32), ([], [None]))
    out = drain(ds)
    assert [int(a) for a, _ in out] == [1, 2] and out[1][1].dtype == np.float32
    bad = tf.data.Dataset.from_generator(lambda: iter([1.5]), tf.int64)
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected type was int64"):
        drain(bad)
    wrong_shape = tf.data.Dataset.from_generator(lambda: iter([[1, 2, 3]]), tf.int64, [2])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \(3,\) where an element "
                       r"of shape \(2,\) was expected"):
        drain(wrong_shape)


def test_generator_errors_surface_as_unknown_error():
    def gen():
        yield 1
        raise KeyError("boom")

    value = tf.data.Dataset.from_generator(gen, tf.int64).make_one_shot_iterator().get_next()
    with tf.Session() as s:
        assert s.run(value) == 1
        with pytest.raises(tf.errors.UnknownError, match="KeyError"):
            s.run(value)


def test_shuffle_is_a_permutation_deterministic_per_seed_and_reshuffled_per_epoch():
    ds = tf.data.Dataset.range(20).shuffle(20, seed=7).repeat(2)
    first, again = drain(ds), drain(ds)
    assert first == again  # a seed fixes the order in every session
    epoch1, epoch2 = first[:20], first[20:]
    assert sorted(epoch1) == list(range(20)) and sorted(epoch2) == list(range(20))
    assert epoch1 != epoch2 and epoch1 != list(range(20))
    other = drain(tf.data.Dataset.range(20).shuffle(20, seed=8))
    assert other != epoch1


def test_shuffle_without_reshuffle_repeats_one_order():
    out = drain(tf.data.Dataset.range(10).shuffle(10, seed=1, reshuffle_each_iteration=False)
                .repeat(2))
    assert out[:10] == out[10:]


def test_shuffle_buffer_statistics():
    # With a buffer of 2, element k can move at most... the first output is 0 or 1, each
    # about half of the time; over many seeds the mean position of element 0 is small.
    firsts = [int(drain(tf.data.Dataset.range(10).shuffle(2, seed=s))[0]) for s in range(60)]
    assert set(firsts) == {0, 1}
    assert 18 <= firsts.count(0) <= 42  # binomial(60, 1/2): outside happens < 1e-3


def test_cache_replays_the_first_pass():
    ds = tf.data.Dataset.range(6).shuffle(6, seed=3).cache().repeat(3)
    out = drain(ds)
    assert out[:6] == out[6:12] == out[12:]


def test_concatenate_and_unbatch():
    ds = tf.data.Dataset.range(2).concatenate(tf.data.Dataset.range(5, 7))
    assert listify(drain(ds)) == [0, 1, 5, 6]
    ub = tf.data.Dataset.from_tensors([[1, 2], [3, 4]]).unbatch()
    assert listify(drain(ub)) == [[1, 2], [3, 4]]


def test_batch_of_different_shapes_is_an_error():
    ds = tf.data.Dataset.from_generator(lambda: iter([[1], [1, 2]]), tf.int32, [None]).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot batch tensors with "
                       "different shapes in component 0"):
        drain(ds)


def test_map_returns_namedtuples_and_dicts():
    Pair = collections.namedtuple("Pair", "x y")
    ds = tf.data.Dataset.range(2).map(lambda v: Pair(v, {"sq": v * v}))
    out = drain(ds)
    assert isinstance(out[1], Pair) and int(out[1].y["sq"]) == 1


def test_filter_predicate_must_be_a_scalar_bool():
    with pytest.raises(ValueError, match="scalar boolean"):
        tf.data.Dataset.range(3).filter(lambda x: x)


def test_slices_need_one_first_dimension():
    with pytest.raises(ValueError, match="not compatible"):
        tf.data.Dataset.from_tensor_slices(([1, 2], [1, 2, 3]))


def test_dataset_is_not_iterable_in_python():
    with pytest.raises(RuntimeError, match="make_one_shot_iterator"):
        iter(tf.data.Dataset.range(2))


def test_experimental_autotune_and_unbatch():
    ds = tf.data.Dataset.from_tensors([[1, 2], [3, 4]]).apply(tf.data.experimental.unbatch()) \
        .map(lambda v: v * 2, num_parallel_calls=tf.data.experimental.AUTOTUNE) \
        .prefetch(tf.data.experimental.AUTOTUNE)
    assert listify(drain(ds)) == [[2, 4], [6, 8]]


def test_element_spec_equality():
    spec = tf.data.Dataset.range(3).batch(2).element_spec
    assert spec == tf.data.TensorSpec([None], tf.int64)
    assert spec != tf.data.TensorSpec([2], tf.int64)
    assert spec != tf.data.TensorSpec([None], tf.int32)


def test_flat_map_and_interleave_match_tf():
    flat = tf.data.Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]]).flat_map(
        lambda row: tf.data.Dataset.from_tensor_slices(row * 10))
    assert listify(drain(flat)) == TF["flat_map"]
    two = tf.data.Dataset.range(1, 5).interleave(
        lambda x: tf.data.Dataset.from_tensors(x).repeat(x), cycle_length=2, block_length=1)
    assert listify(drain(two)) == TF["interleave_2_1"]
    three = tf.data.Dataset.range(1, 6).interleave(
        lambda x: tf.data.Dataset.range(x * 10, x * 10 + x), cycle_length=3, block_length=2)
    assert listify(drain(three)) == TF["interleave_3_2"]


def test_flat_map_of_text_files(tmp_path):
    for i in range(2):
        (tmp_path / f"{i}.txt").write_text(f"a{i}\nb{i}\n")
    names = [str(tmp_path / f"{i}.txt") for i in range(2)]
    lines = tf.data.Dataset.from_tensor_slices(names).flat_map(tf.data.TextLineDataset)
    assert drain(lines) == [b"a0", b"b0", b"a1", b"b1"]
    with pytest.raises(TypeError, match="must return a Dataset"):
        tf.data.Dataset.range(2).flat_map(lambda x: x)
    with pytest.raises(TypeError, match="must return tensors"):
        tf.data.Dataset.range(2).map(lambda x: tf.data.Dataset.range(x))
