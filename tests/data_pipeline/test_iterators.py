"""Iterators: one-shot, initializable (fed by placeholders), from_structure switching, the
end-of-epoch OutOfRangeError and the pipeline state living in the session."""

import numpy as np
import pytest

import minigraph as tf

# Iterator graphs hold their pipeline as Python objects, which a GraphDef cannot carry.
pytestmark = pytest.mark.no_tf_export_check


def test_one_shot_iterator_ops_and_end_of_sequence():
    ds = tf.data.Dataset.range(2)
    it = ds.make_one_shot_iterator()
    value = it.get_next()
    assert it._handle.op.type == "OneShotIterator" and value.op.type == "IteratorGetNext"
    with tf.Session() as s:
        assert [s.run(value), s.run(value)] == [0, 1]
        with pytest.raises(tf.errors.OutOfRangeError, match="End of sequence") as info:
            s.run(value)
        assert "IteratorGetNext" in str(info.value)
        with pytest.raises(tf.errors.OutOfRangeError):  # stays at the end
            s.run(value)


def test_a_new_session_starts_the_pipeline_afresh():
    value = tf.data.Dataset.range(3).make_one_shot_iterator().get_next()
    with tf.Session() as s:
        assert s.run(value) == 0 and s.run(value) == 1
    with tf.Session() as s:
        assert s.run(value) == 0


def test_initializable_iterator_reads_fed_placeholders():
    x = tf.placeholder(tf.float32, [None, 2])
    batch = tf.placeholder(tf.int64, [])
    it = tf.data.Dataset.from_tensor_slices(x).batch(batch).make_initializable_iterator()
    value = it.get_next()
    assert it._handle.op.type == "IteratorV2" and it.initializer.type == "MakeIterator"
    data = np.arange(10, dtype=np.float32).reshape(5, 2)
    with tf.Session() as s:
        with pytest.raises(tf.errors.FailedPreconditionError, match="not been initialized"):
            s.run(value)
        s.run(it.initializer, {x: data, batch: 2})
        np.testing.assert_array_equal(s.run(value), data[:2])
        s.run(it.initializer, {x: data[::-1], batch: 4})   # restart with other values
        np.testing.assert_array_equal(s.run(value), data[::-1][:4])


def test_epoch_loop_with_out_of_range_error():
    x = tf.placeholder(tf.int32, [None])
    it = tf.data.Dataset.from_tensor_slices(x).make_initializable_iterator()
    value = it.get_next()
    total = tf.reduce_sum(value)
    seen = []
    with tf.Session() as s:
        for _ in range(2):
            s.run(it.initializer, {x: [1, 2, 3]})
            while True:
                try:
                    seen.append(int(s.run(total)))
                except tf.errors.OutOfRangeError:
                    break
    assert seen == [1, 2, 3, 1, 2, 3]


def test_from_structure_switches_between_train_and_test():
    train = tf.data.Dataset.from_tensor_slices(([1., 2., 3.], [0, 1, 0])).batch(2)
    test = tf.data.Dataset.from_tensor_slices(([9., 8.], [1, 1])).batch(2)
    it = tf.data.Iterator.from_structure(train.output_types, train.output_shapes)
    features, labels = it.get_next()
    train_init, test_init = it.make_initializer(train), it.make_initializer(test)
    doubled = features * 2.0
    with tf.Session() as s:
        s.run(train_init)
        assert s.run(doubled).tolist() == [2., 4.]
        s.run(test_init)
        assert s.run([features, labels])[1].tolist() == [1, 1]
        s.run(train_init)
        assert s.run(labels).tolist() == [0, 1]


def test_make_initializer_refuses_another_structure():
    it = tf.data.Iterator.from_structure(tf.int64, tf.TensorShape([]))
    with pytest.raises(TypeError, match="Expected output types tf.int64 but got dataset with "
                       "output types tf.float32"):
        it.make_initializer(tf.data.Dataset.from_tensor_slices([1.0]))


def test_one_shot_iterator_cannot_capture_a_placeholder():
    x = tf.placeholder(tf.float32, [None])
    with pytest.raises(ValueError, match="Cannot capture a placeholder"):
        tf.data.Dataset.from_tensor_slices(x).make_one_shot_iterator()


def test_one_shot_iterator_has_no_initializer():
    it = tf.data.make_one_shot_iterator(tf.data.Dataset.range(1))
    with pytest.raises(ValueError, match="does not have an initializer"):
        print(it.initializer)


def test_map_function_is_compiled_once_and_reads_graph_values():
    scale = tf.constant(3.0)
    counter = tf.Variable(0.0)
    ds = tf.data.Dataset.from_tensor_slices([1.0, 2.0]).map(lambda v: v * scale + counter)
    value = ds.make_one_shot_iterator().get_next()
    with tf.Session() as s:
        s.run(counter.initializer)
        assert s.run(value) == 3.0
        s.run(counter.assign(10.0))
        assert s.run(value) == 16.0
        assert len(s._plans) <= 4  # one plan for the map function, reused per element


def test_errors_inside_map_name_the_node():
    ds = tf.data.Dataset.from_tensor_slices([[1.0, 2.0]]).map(
        lambda v: tf.gather(v, 5))
    value = ds.make_one_shot_iterator().get_next()
    with tf.Session() as s:
        with pytest.raises(tf.errors.InvalidArgumentError, match="Dataset_map"):
            s.run(value)


def test_string_components():
    ds = tf.data.Dataset.from_tensor_slices(["a", "bc"]).batch(2)
    value = ds.make_one_shot_iterator().get_next()
    with tf.Session() as s:
        assert s.run(value).tolist() == [b"a", b"bc"]


def test_map_captures_placeholders_fed_at_initialization():
    scale = tf.placeholder(tf.float32, [])
    it = tf.data.Dataset.from_tensor_slices([1.0, 2.0]).map(lambda v: v * scale) \
        .filter(lambda v: v > scale).make_initializable_iterator()
    value = it.get_next()
    with tf.Session() as s:
        s.run(it.initializer, {scale: 3.0})
        assert s.run(value) == 6.0      # 3.0 is not > 3.0 and was filtered out
        s.run(it.initializer, {scale: 0.5})   # 0.5 is filtered out, 1.0 stays
        assert s.run(value) == 1.0
        with pytest.raises(tf.errors.OutOfRangeError):
            s.run(value)


def test_py_func_inside_map():
    ds = tf.data.Dataset.range(3).map(
        lambda v: tf.py_func(lambda a: np.float32(a) ** 2, [v], tf.float32))
    value = ds.make_one_shot_iterator().get_next()
    with tf.Session() as s:
        assert [float(s.run(value)) for _ in range(3)] == [0.0, 1.0, 4.0]


def test_feedable_iterator_switches_by_string_handle():
    train = tf.data.Dataset.range(100).repeat()
    test = tf.data.Dataset.range(1000, 1003)
    handle = tf.placeholder(tf.string, [])
    it = tf.data.Iterator.from_string_handle(handle, train.output_types, train.output_shapes)
    value = it.get_next()
    train_it, test_it = train.make_one_shot_iterator(), test.make_initializable_iterator()
    assert it._handle.op.type == "IteratorFromStringHandleV2"
    assert train_it.string_handle().op.type == "IteratorToStringHandle"
    with tf.Session() as s:
        train_handle, test_handle = s.run([train_it.string_handle(), test_it.string_handle()])
        assert [s.run(value, {handle: train_handle}) for _ in range(3)] == [0, 1, 2]
        s.run(test_it.initializer)
        assert s.run(value, {handle: test_handle}) == 1000
        assert s.run(value, {handle: train_handle}) == 3   # train continues where it was
        with pytest.raises(tf.errors.InvalidArgumentError, match="No iterator"):
            s.run(value, {handle: b"nope"})
