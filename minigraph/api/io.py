"""`tf.io`: graph writing (write_graph), local files (`tf.io.gfile`) and TFRecord files."""

from ..data.readers import TFRecordOptions, TFRecordWriter, tf_record_iterator
from ..export.graph_def import write_graph
from . import gfile
from ..framework.missing import namespace_getattr

__all__ = ["write_graph", "gfile", "TFRecordWriter", "TFRecordOptions", "tf_record_iterator"]

__getattr__ = namespace_getattr("io")
