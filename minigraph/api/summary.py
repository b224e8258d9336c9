"""`tf.summary`: summary ops and the event-file writer (FileWriter needs the tensorboard extra)."""

from ..ops.summary_ops import histogram, image, merge, merge_all, scalar
from ..export.event_writer import FileWriter
from ..framework.missing import namespace_getattr

__all__ = ["scalar", "histogram", "image", "merge", "merge_all", "FileWriter"]

__getattr__ = namespace_getattr("summary")
