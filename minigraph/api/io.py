"""`tf.io` (and `tf.python_io`): graph writing and TFRecord files."""

from ..data.readers import TFRecordOptions, TFRecordWriter, tf_record_iterator
from ..export.graph_def import write_graph

__all__ = ["write_graph", "TFRecordWriter", "TFRecordOptions", "tf_record_iterator"]
