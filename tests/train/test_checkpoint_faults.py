"""Checkpoints under faults: damaged files, a crash at every step of a save, SIGKILLs.

The promises tested here (docs/checkpoints.md): a damaged checkpoint raises TF's classes
(DataLossError, OutOfRangeError, NotFoundError, ...) naming the file and the problem, never a
raw Python exception, and a failed restore assigns nothing; after a crash at any point of a
save, the prefix restores the complete old or the complete new checkpoint, and the next save
cleans up what the crash left.
"""

import os
import random
import re
import signal
import time

import numpy as np
import pytest

import minigraph as tf
from minigraph.framework import errors
from minigraph.train import checkpoint_format, checkpoint_io, tensor_bundle

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

DATA_SUFFIX = ".data-00000-of-00001"
TEMP = re.compile(r"\.tmp-\d+-[0-9a-f]{16}$")


def _model():
    a = tf.Variable(np.zeros(20000, np.float32), name="a")
    b = tf.Variable(np.zeros(7, np.int64), name="b")
    c = tf.Variable(np.zeros([3, 3]), name="c")
    return a, b, c


def _load(variables, k, sess):
    a, b, c = variables
    a.load(np.full(20000, k, np.float32), sess)
    b.load(np.full(7, -k, np.int64), sess)
    c.load(np.full([3, 3], k + 0.5), sess)


def _value(variables, sess) -> int:
    """The k all three variables hold; fails if they hold values of different saves."""
    a, b, c = (sess.run(v) for v in variables)
    k = int(a[0])
    assert (a == k).all() and (b == -k).all() and (c == k + 0.5).all(), \
        f"mixed checkpoint: a={a[0]}, b={b[0]}, c={c[0, 0]}"
    return k


# ---------------------------------------------------------------------------------------
# Damaged files
# ---------------------------------------------------------------------------------------
@pytest.fixture
def saved(sess, tmp_path):
    variables = _model()
    sess.run(tf.global_variables_initializer())
    _load(variables, 3, sess)
    saver = tf.train.Saver()
    prefix = saver.save(sess, str(tmp_path / "model.ckpt"))
    _load(variables, 9, sess)  # what a failed restore must leave in place
    return saver, prefix, variables


def _mutate(path, edit):
    with open(path, "rb") as f:
        content = bytearray(f.read())
    with open(path, "wb") as f:
        f.write(bytes(edit(content)))


def _flip(position):
    def edit(b):
        b[position % len(b)] ^= 0x10
        return b
    return edit


DAMAGE = [
    (".index", lambda b: b[:0], errors.DataLossError, "file is too short to be an sstable"),
    (".index", lambda b: b[:30], errors.DataLossError, "file is too short to be an sstable"),
    (".index", lambda b: b[:-1], errors.DataLossError, "not an sstable (bad magic number)"),
    (".index", lambda b: bytearray(os.urandom(len(b))), errors.DataLossError,
     "not an sstable (bad magic number)"),
    (".index", _flip(5), errors.DataLossError, "block checksum mismatch"),
    (".index", _flip(-1), errors.DataLossError, "not an sstable (bad magic number)"),
    (DATA_SUFFIX, lambda b: b[:100], errors.OutOfRangeError, "Read less bytes than requested"),
    (DATA_SUFFIX, lambda b: b[:0], errors.OutOfRangeError, "Read less bytes than requested"),
    (DATA_SUFFIX, _flip(40000), errors.DataLossError, "Checksum does not match"),
    (DATA_SUFFIX, _flip(-3), errors.DataLossError, "Checksum does not match"),
]


@pytest.mark.parametrize("suffix, edit, error, phrase", DAMAGE)
def test_damaged_files_raise_tf_errors_naming_the_file(sess, saved, suffix, edit, error,
                                                       phrase):
    saver, prefix, variables = saved
    _mutate(prefix + suffix, edit)
    with pytest.raises(error) as e:
        saver.restore(sess, prefix)
    assert phrase in str(e.value) and os.path.basename(prefix) in str(e.value)
    assert _value(variables, sess) == 9  # nothing was assigned
    with pytest.raises(error):
        reader = tf.train.NewCheckpointReader(prefix)
        for name in ("a", "b", "c"):
            reader.get_tensor(name)


def test_missing_data_file(sess, saved):
    saver, prefix, variables = saved
    os.remove(prefix + DATA_SUFFIX)
    with pytest.raises(errors.NotFoundError, match=r"model.ckpt.data-00000-of-00001; No such "
                       r"file or directory"):
        saver.restore(sess, prefix)
    assert tf.train.list_variables(prefix) == [("a", [20000]), ("b", [7]), ("c", [3, 3])]
    assert _value(variables, sess) == 9


def test_extra_bytes_after_the_data_are_ignored_as_tf_does(sess, saved):
    saver, prefix, variables = saved
    _mutate(prefix + DATA_SUFFIX, lambda b: b + b"tail")
    saver.restore(sess, prefix)
    assert _value(variables, sess) == 3


def test_index_entry_whose_size_contradicts_its_shape(sess, saved, tmp_path):
    saver, prefix, variables = saved
    index = open(prefix + ".index", "rb").read()
    table = checkpoint_format.read_table(index)
    fields = checkpoint_format.decode_message(table[2][1])  # entry of "b"
    assert table[2][0] == b"b" and fields[5] == [56]
    # Rewrite b's entry to claim shape [1] (8 bytes) while 56 bytes are recorded.
    shape = checkpoint_format.encode_message(
        [(2, "bytes!", checkpoint_format.encode_message([(1, "varint", 1)]))])
    entry = checkpoint_format.encode_message([(1, "varint", 9), (2, "bytes", shape),
                                              (4, "varint", fields[4][0]),
                                              (5, "varint", 56), (6, "fixed32", fields[6][0])])
    table[2] = (b"b", entry)
    with open(prefix + ".index", "wb") as f:
        f.write(checkpoint_format.build_table(table))
    with pytest.raises(errors.DataLossError, match="tensor b is recorded with 56 bytes, but "
                       r"int64 of shape \[1\] takes 8"):
        saver.restore(sess, prefix)
    assert _value(variables, sess) == 9


def test_float64_checkpoint_into_a_float32_variable_is_refused(sess, tmp_path):
    with tf.Graph().as_default():
        v = tf.Variable(np.array([1.0, 2.0, 3.0]), name="v")  # float64
        with tf.Session() as s:
            s.run(v.initializer)
            path = tf.train.Saver().save(s, str(tmp_path / "m"))
    v32 = tf.Variable(np.zeros(3, np.float32), name="v")
    sess.run(v32.initializer)
    with pytest.raises(errors.InvalidArgumentError, match="expected dtype float32 does not "
                       "equal original dtype float64"):
        tf.train.Saver().restore(sess, path)
    assert sess.run(v32).dtype == np.float32 and not sess.run(v32).any()


def test_fuzzed_checkpoints_raise_only_minigraph_errors(sess, saved):
    saver, prefix, variables = saved
    originals = {s: open(prefix + s, "rb").read() for s in (".index", DATA_SUFFIX)}
    rng = random.Random(1234)
    outcomes = {"restored": 0, "error": 0}
    for _ in range(150):
        suffix = rng.choice([".index", ".index", DATA_SUFFIX])
        content = bytearray(originals[suffix])
        kind = rng.randrange(5)
        at = rng.randrange(len(content))
        if kind == 0:
            content[at] ^= 1 << rng.randrange(8)
        elif kind == 1:
            content = content[:at]
        elif kind == 2:
            content[at:at + 16] = os.urandom(16)
        elif kind == 3:
            content[at:at] = os.urandom(rng.randrange(1, 9))
        else:
            content[at:at + 64] = bytes(min(64, len(content) - at))
        with open(prefix + suffix, "wb") as f:
            f.write(bytes(content))
        try:
            saver.restore(sess, prefix)
            assert _value(variables, sess) == 3  # unharmed bytes (footer padding, zeros)
            outcomes["restored"] += 1
        except errors.OpError:
            assert _value(variables, sess) == 9
            outcomes["error"] += 1
        _load(variables, 9, sess)
        with open(prefix + suffix, "wb") as f:
            f.write(originals[suffix])
    assert outcomes["error"] > 100


# ---------------------------------------------------------------------------------------
# A Saver and a session of another graph
# ---------------------------------------------------------------------------------------
def test_saver_refuses_a_session_of_another_graph(tmp_path):
    with tf.Graph().as_default() as g1:
        v = tf.Variable(1.0, name="v")
        saver = tf.train.Saver()
    with tf.Session(graph=g1) as s1:
        s1.run(v.initializer)
        path = saver.save(s1, str(tmp_path / "m"))
    with tf.Graph().as_default() as g2:
        w = tf.Variable(5.0, name="v")
    with tf.Session(graph=g2) as s2:
        s2.run(w.initializer)
        for action in (lambda: saver.restore(s2, path), lambda: saver.save(s2, path + "x")):
            with pytest.raises(TypeError, match="Cannot interpret feed_dict key as Tensor: "
                               "this Saver was built in another graph"):
                action()
        assert s2.run(w) == 5.0
    assert not os.path.exists(path + "x.index")


# ---------------------------------------------------------------------------------------
# Crashes
# ---------------------------------------------------------------------------------------
def test_state_between_commit_and_data_rename_restores_new_and_is_finished(sess, tmp_path):
    """The index names its save's pending data file: readers use it; the next save (or
    clean_leftovers) renames it into place; other leftovers go, live processes' stay."""
    variables = _model()
    sess.run(tf.global_variables_initializer())
    saver = tf.train.Saver()
    _load(variables, 5, sess)
    prefix = saver.save(sess, str(tmp_path / "m"))
    index = open(prefix + ".index", "rb").read()
    save_id = tensor_bundle.BundleReader(prefix, index).save_id
    assert save_id.startswith(f"{os.getpid()}-")
    pending = f"{prefix}{DATA_SUFFIX}.tmp-{save_id}"
    os.replace(prefix + DATA_SUFFIX, pending)       # as if killed right after the commit
    with open(prefix + DATA_SUFFIX, "wb") as f:      # stale old data under the final name
        f.write(b"\0" * 80100)
    _load(variables, -1, sess)
    saver.restore(sess, prefix)
    assert _value(variables, sess) == 5
    live = str(tmp_path / f"m.index.tmp-{os.getppid()}-{'a' * 16}")
    dead = str(tmp_path / f"m.index.tmp-{os.getpid()}-{'b' * 16}")
    for path in (live, dead):
        open(path, "wb").close()
    checkpoint_io.clean_leftovers(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["checkpoint", "m.index", "m" + DATA_SUFFIX, "m.meta", os.path.basename(live)])
    _load(variables, -1, sess)
    saver.restore(sess, prefix)
    assert _value(variables, sess) == 5


def _in_child(work) -> int:
    """Run work() in a forked child; return its exit status (the child never returns)."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            work()
            code = 0
        finally:
            os._exit(code)
    return os.waitpid(pid, 0)[1]


def _crash_at(step: int, save):
    """Patch the file-system steps of a save; kill the process right before step `step`."""
    counter = {"n": 0}
    real = {"replace": os.replace, "fsync": os.fsync, "remove": os.remove}

    def hook(name):
        def call(*args):
            counter["n"] += 1
            if counter["n"] == step:
                os._exit(3)  # like SIGKILL: no cleanup handler runs
            return real[name](*args)
        return call

    for name in real:
        setattr(os, name, hook(name))
    save()
    os._exit(4)  # the save finished before the crash point


def test_a_crash_before_any_file_system_step_keeps_old_or_new(sess, tmp_path):
    """Enumerate every crash point of two saves (same prefix again, then a new step)."""
    variables = _model()
    sess.run(tf.global_variables_initializer())
    saver = tf.train.Saver(max_to_keep=2)
    prefix = str(tmp_path / "model.ckpt")
    _load(variables, 0, sess)
    saver.save(sess, prefix, global_step=0)
    old, outcomes, step = 0, set(), 0
    saver.save(sess, prefix)
    while True:
        step += 1
        new = old + 1
        _load(variables, new, sess)

        def save(new=new):
            saver.save(sess, prefix)                    # re-save the same prefix
            saver.save(sess, prefix, global_step=new)   # a new step, state file, deletes
        status = os.WEXITSTATUS(_in_child(lambda step=step: _crash_at(step, save)))
        assert status in (3, 4)
        _load(variables, -1, sess)
        saver.restore(sess, prefix)
        k = _value(variables, sess)
        assert k in (old, new)
        outcomes.add(k == new)
        saver.restore(sess, tf.train.latest_checkpoint(str(tmp_path)))  # complete as well
        _load(variables, new, sess)
        saver.save(sess, prefix)  # the next save cleans up what the crash left
        assert not [n for n in os.listdir(tmp_path) if TEMP.search(n)]
        old = new
        if status == 4:
            break
    assert step > 10 and outcomes == {True, False}, (step, outcomes)


def test_sigkill_at_random_moments_restores_all_old_or_all_new(sess, tmp_path):
    variables = _model()
    sess.run(tf.global_variables_initializer())
    saver = tf.train.Saver()
    prefix = str(tmp_path / "model.ckpt")
    _load(variables, 0, sess)
    saver.save(sess, prefix)
    current, rng, deadline = 0, random.Random(7), time.monotonic() + 15
    trials = interrupted = 0
    while trials < 40 and time.monotonic() < deadline:
        trials += 1
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the saving child
            os.close(read_end)
            try:
                k = current
                while True:
                    k += 1
                    _load(variables, k, sess)
                    saver.save(sess, prefix, write_state=False)
                    os.write(write_end, f"{k}\n".encode())
            finally:
                os._exit(1)
        os.close(write_end)
        time.sleep(rng.uniform(0.0, 0.05))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        interrupted += bool([n for n in os.listdir(tmp_path) if TEMP.search(n)])
        done = os.read(read_end, 1 << 20).split()
        os.close(read_end)
        confirmed = int(done[-1]) if done else current
        _load(variables, -1, sess)
        saver.restore(sess, prefix)
        restored = _value(variables, sess)
        assert restored in (confirmed, confirmed + 1)
        current = restored
    saver.save(sess, prefix)
    assert not [n for n in os.listdir(tmp_path) if TEMP.search(n)]
    assert trials >= 10 and current > 0
    assert interrupted >= 5, interrupted  # kills that landed inside a save
