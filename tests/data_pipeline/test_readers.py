"""TextLineDataset, TFRecordDataset and TFRecordWriter; the TFRecord files under tests/data
were written by real TensorFlow (tests/data/record_data.py)."""

import gzip
import json
import pathlib

import pytest

import minigraph as tf

from minigraph.data.readers import crc32c, masked_crc32c

# Iterator graphs hold their pipeline as Python objects, which a GraphDef cannot carry.
pytestmark = pytest.mark.no_tf_export_check

DATA = pathlib.Path(__file__).resolve().parent.parent / "data"
RECORDS = [bytes.fromhex(h) for h in json.loads((DATA / "data_tf.json").read_text())["records"]]


def drain(dataset):
    value = dataset.make_one_shot_iterator().get_next()
    out = []
    with tf.Session() as s:
        while True:
            try:
                out.append(s.run(value))
            except tf.errors.OutOfRangeError:
                return out


def test_crc32c_check_value():
    assert crc32c(b"123456789") == 0xE3069283  # the standard CRC-32C check value
    assert masked_crc32c(b"") == ((0 >> 15 | 0 << 17) + 0xA282EAD8) & 0xFFFFFFFF


@pytest.mark.parametrize("name, compression", [("records_tf.tfrecord", None),
                                               ("records_tf.tfrecord.gz", "GZIP")])
def test_reads_records_written_by_tensorflow(name, compression):
    ds = tf.data.TFRecordDataset(str(DATA / name), compression_type=compression)
    assert ds.output_types == tf.string
    assert drain(ds) == RECORDS


def test_writer_output_is_byte_identical_to_tensorflow(tmp_path):
    path = tmp_path / "mine.tfrecord"
    with tf.io.TFRecordWriter(str(path)) as writer:
        for record in RECORDS:
            writer.write(record)
    assert path.read_bytes() == (DATA / "records_tf.tfrecord").read_bytes()
    assert list(tf.io.tf_record_iterator(str(path))) == RECORDS


def test_gzip_writer_round_trip(tmp_path):
    path = tmp_path / "mine.gz"
    with tf.io.TFRecordWriter(str(path), tf.io.TFRecordOptions("GZIP")) as writer:
        writer.write(b"abc")
    assert gzip.decompress(path.read_bytes())[12:15] == b"abc"
    assert drain(tf.data.TFRecordDataset([str(path)], "GZIP")) == [b"abc"]


def test_corrupted_record_is_data_loss(tmp_path):
    data = bytearray((DATA / "records_tf.tfrecord").read_bytes())
    data[14] ^= 0xFF  # inside the first record's bytes
    path = tmp_path / "bad.tfrecord"
    path.write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="corrupted record at 0"):
        drain(tf.data.TFRecordDataset(str(path)))


def test_missing_file_is_not_found(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="No such file"):
        drain(tf.data.TextLineDataset(str(tmp_path / "nope.txt")))


def test_text_lines_without_line_ends(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_bytes(b"a\r\nb\n\nc")   # TF gives b"a", b"b", b"", b"c"
    second.write_bytes(b"last\n")
    names = tf.placeholder(tf.string, [None])
    it = tf.data.TextLineDataset(names).make_initializable_iterator()
    value = it.get_next()
    out = []
    with tf.Session() as s:
        s.run(it.initializer, {names: [str(first), str(second)]})
        while True:
            try:
                out.append(s.run(value))
            except tf.errors.OutOfRangeError:
                break
    assert out == [b"a", b"b", b"", b"c", b"last"]


def test_list_files_sorted_or_shuffled(tmp_path):
    for name in ("b.txt", "a.txt", "c.txt", "skip.csv"):
        (tmp_path / name).write_text(name)
    pattern = str(tmp_path / "*.txt")
    ordered = drain(tf.data.Dataset.list_files(pattern, shuffle=False))
    assert [pathlib.Path(p.decode()).name for p in ordered] == ["a.txt", "b.txt", "c.txt"]
    shuffled = drain(tf.data.Dataset.list_files(pattern, seed=3))
    assert sorted(shuffled) == ordered
    lines = tf.data.Dataset.list_files(pattern, shuffle=False).flat_map(
        tf.data.TextLineDataset)
    assert drain(lines) == [b"a.txt", b"b.txt", b"c.txt"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="No files matched"):
        drain(tf.data.Dataset.list_files(str(tmp_path / "*.none")))
