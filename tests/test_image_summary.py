"""tf.summary.image (ImageSummary op: tags, 8-bit mapping, PNG) against TensorFlow 1.x
(tests/data/record_image_summary.py -> image_summary.json), the PNG codec, and
tf.train.summary_iterator reading event files written by TF and by minigraph."""

import json
import pathlib
import zlib

import numpy as np
import pytest

import minigraph as tf
from minigraph.ops.png import decode_png, encode_png
from minigraph.framework.registry import no_gradient
from minigraph.ops.summary_ops import ImageSummary

DATA_DIR = pathlib.Path(__file__).parent / "data"
DATA = json.loads((DATA_DIR / "image_summary.json").read_text())


def cases():
    out = {k: np.asarray(v, np.uint8 if k == "uint8_rgba" else np.float32)
           for k, v in DATA["inputs"].items()}
    out["float_nan"][0, 0, 1, 0] = np.nan
    out["float_nan"][0, 1, 0, 0] = np.inf
    return out


@pytest.mark.parametrize("key", sorted(DATA["values"]))
def test_image_summary_matches_tensorflow(sess, key):
    summary_pb2 = pytest.importorskip("tensorboard.compat.proto.summary_pb2")
    for _ in range(["float_positive", "float_signed", "float_nan", "float_zero",
                    "uint8_rgba"].index(key)):
        tf.no_op(name="scope")   # the recorded tags carry scope_1, scope_2, ...
    with tf.name_scope("scope"):
        summary = tf.summary.image(key, cases()[key], max_outputs=2)
    assert summary.op.type == "ImageSummary"
    proto = summary_pb2.Summary.FromString(sess.run(summary))
    expected = DATA["values"][key]
    assert len(proto.value) == len(expected)
    for value, ref in zip(proto.value, expected):
        assert value.tag == ref["tag"]
        image = value.image
        assert (image.height, image.width, image.colorspace) == (
            ref["height"], ref["width"], ref["colorspace"])
        np.testing.assert_array_equal(decode_png(image.encoded_image_string), ref["pixels"])


def test_image_summary_tags_collections_and_errors(sess):
    one = tf.summary.image("single", np.zeros([2, 2, 2, 3], np.float32), max_outputs=1)
    assert tf.get_collection(tf.GraphKeys.SUMMARIES) == [one]
    assert b"single/image" in sess.run(one) and b"single/image/0" not in sess.run(one)
    with pytest.raises(ValueError, match="4-D with last dim 1, 3, or 4"):
        tf.summary.image("bad", np.zeros([2, 4, 4, 2], np.float32))
    with pytest.raises(TypeError):
        tf.summary.image("bad", np.zeros([1, 4, 4, 1], np.int32))
    x = tf.placeholder(tf.float32)
    dynamic = tf.summary.image("dynamic", x)
    with pytest.raises(tf.errors.InvalidArgumentError, match="4-D"):
        sess.run(dynamic, {x: np.zeros([3, 3])})
    assert ImageSummary.gradient is no_gradient


def test_png_codec_round_trip_and_format():
    image = np.random.RandomState(0).randint(0, 256, size=(5, 7, 3)).astype(np.uint8)
    data = encode_png(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    np.testing.assert_array_equal(decode_png(data), image)
    idat = data.index(b"IDAT")
    assert zlib.decompress(data[idat + 4:])[:1] == b"\x00"   # filter type 0 per row
    pil = pytest.importorskip("PIL.Image")
    import io

    np.testing.assert_array_equal(np.asarray(pil.open(io.BytesIO(data))), image)


def test_summary_iterator_reads_a_file_written_by_tensorflow():
    pytest.importorskip("tensorboard")
    events = list(tf.train.summary_iterator(str(DATA_DIR / "tf_events.tfevents")))
    assert events[0].file_version == "brain.Event:2"
    values = {v.tag: v for v in events[1].summary.value}
    assert events[1].step == 7 and values["loss"].simple_value == 0.25
    picture = decode_png(values["picture/image"].image.encoded_image_string)
    np.testing.assert_array_equal(picture, DATA["inputs"]["uint8_rgba"][0])
    assert tf.compat.v1.train.summary_iterator is tf.train.summary_iterator


def test_summary_iterator_reads_minigraphs_event_file_and_tensorboard_shows_images(tmp_path,
                                                                                     sess):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    images = np.linspace(0, 1, 2 * 4 * 4).reshape(2, 4, 4, 1).astype(np.float32)
    merged = tf.summary.merge([tf.summary.image("digits", images, max_outputs=2),
                               tf.summary.scalar("loss", tf.constant(1.5))])
    with tf.summary.FileWriter(str(tmp_path)) as writer:
        writer.add_summary(sess.run(merged), global_step=3)
    path = next(tmp_path.glob("events.*"))
    tags = [v.tag for e in tf.train.summary_iterator(str(path)) for v in e.summary.value]
    assert tags == ["digits/image/0", "digits/image/1", "loss"]
    board = EventAccumulator(str(tmp_path))
    board.Reload()
    assert board.Tags()["images"] == ["digits/image/0", "digits/image/1"]
    shown = board.Images("digits/image/1")[0]
    assert (shown.step, shown.width, shown.height) == (3, 4, 4)
    assert decode_png(shown.encoded_image_string)[-1, -1, 0] == 255


def test_summary_iterator_refuses_a_corrupt_file(tmp_path):
    pytest.importorskip("tensorboard")
    data = bytearray((DATA_DIR / "tf_events.tfevents").read_bytes())
    data[20] ^= 0xFF
    bad = tmp_path / "events.bad"
    bad.write_bytes(bytes(data))
    with pytest.raises(tf.errors.DataLossError, match="Corrupted"):
        list(tf.train.summary_iterator(str(bad)))
