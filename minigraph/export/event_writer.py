"""`tf.summary.FileWriter`: events (graphs, summaries) appended to a TensorBoard event file.

Lives here: FileWriter, a thin TF1-shaped wrapper over tensorboard's `EventFileWriter` (which
does the TFRecord framing, the masked CRC32C and the background flushing) and its `Event`
proto. Both are imported lazily: importing minigraph never needs the `tensorboard` extra.
Summary ops live in ops/summary_ops.py, the GraphDef conversion in graph_def.py.
"""

from __future__ import annotations

import time

import numpy as np

from .graph_def import graph_def as _graph_def

__all__ = ["FileWriter"]


def tensorboard_modules():
    """tensorboard's Event and Summary protos and its EventFileWriter (the optional extra)."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2  # optional extra
        from tensorboard.summary.writer.event_file_writer import (  # optional extra
            EventFileWriter)
    except ImportError as e:
        raise ImportError("tf.summary.FileWriter and tf.train.summary_iterator write and read "
                          "TensorBoard event files with the `tensorboard` package. Install the "
                          "extra: pip install "
                          f"'minigraph[tensorboard]' (or pip install tensorboard). ({e})") from e
    return event_pb2, summary_pb2, EventFileWriter


class FileWriter:
    """Write a graph and summaries to an event file in `logdir` for TensorBoard.

    Events are queued (`max_queue`) and flushed by a background thread every `flush_secs`;
    call `flush()` or `close()` (or use `with`) before reading the file.

    Example:
        with tf.summary.FileWriter("logs/run1", tf.get_default_graph()) as writer:
            writer.add_summary(sess.run(merged), global_step=step)

    TF1 note: the graph is written as a `graph_def` event only (TF1 adds a
    `meta_graph_def` event too); the file name is tensorboard's
    `events.out.tfevents.<time>.<host>.<pid>.<n>` plus `filename_suffix`.
    """

    def __init__(self, logdir: str, graph=None, max_queue: int = 10, flush_secs: float = 120,
                 graph_def=None, filename_suffix: str | None = None, session=None):
        self._event_pb2, self._summary_pb2, self._writer_class = tensorboard_modules()
        self._logdir = str(logdir)
        self._options = {"max_queue_size": max_queue, "flush_secs": flush_secs,
                         "filename_suffix": filename_suffix or ""}
        self._writer = self._writer_class(self._logdir, **self._options)
        self._closed = False
        if graph is None and session is not None:
            graph = session.graph
        if graph is not None or graph_def is not None:
            self.add_graph(graph, graph_def=graph_def)

    def get_logdir(self) -> str:
        return self._logdir

    def add_event(self, event) -> None:
        """Queue one `Event` proto; ignored after `close()` (as in TF1)."""
        if not self._closed:
            self._writer.add_event(event)

    def add_summary(self, summary, global_step: int | None = None) -> None:
        """Write a `Summary` (the proto, or the bytes a summary op returns) at `global_step`."""
        if isinstance(summary, np.ndarray):
            summary = summary.item()
        if isinstance(summary, (bytes, bytearray)):
            summary = self._summary_pb2.Summary.FromString(bytes(summary))
        elif not isinstance(summary, self._summary_pb2.Summary):
            raise TypeError(f"add_summary takes a Summary proto or the serialized bytes that "
                            f"running a summary op returns, got {type(summary).__name__}. "
                            "Fix: pass sess.run(summary_op).")
        self.add_event(self._event(global_step, summary=summary))

    def add_graph(self, graph, global_step: int | None = None, graph_def=None) -> None:
        """Write the graph (with `_output_shapes`, so TensorBoard labels edges) as an event."""
        if graph_def is None:
            if graph is None:
                raise ValueError("add_graph needs a graph or a graph_def. Fix: pass "
                                 "tf.get_default_graph() or sess.graph.")
            graph_def = _graph_def(graph, add_shapes=True)
        self.add_event(self._event(global_step, graph_def=graph_def.SerializeToString()))

    def add_session_log(self, session_log, global_step: int | None = None) -> None:
        """Write a `SessionLog` proto (START, STOP, CHECKPOINT) at `global_step`."""
        self.add_event(self._event(global_step, session_log=session_log))

    def _event(self, global_step, **fields):
        event = self._event_pb2.Event(wall_time=time.time(), **fields)
        if global_step is not None:
            event.step = int(global_step)
        return event

    def flush(self) -> None:
        """Write every queued event to disk now."""
        if not self._closed:
            self._writer.flush()

    def close(self) -> None:
        """Flush and close the file; later `add_*` calls are ignored until `reopen()`."""
        if not self._closed:
            self._writer.close()
            self._closed = True

    def reopen(self) -> None:
        """After `close()`, start a new event file in the same logdir."""
        if self._closed:
            self._writer = self._writer_class(self._logdir, **self._options)
            self._closed = False

    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
