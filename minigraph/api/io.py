"""`tf.io`: graph writing (write_graph), local files (`tf.io.gfile`) and TFRecord files."""

from ..data.readers import TFRecordOptions, TFRecordWriter, tf_record_iterator
from ..ops.parsing_ops import FixedLenFeature, VarLenFeature, parse_single_example
from ..export.graph_def import write_graph
from . import gfile
from ..framework.missing import namespace_getattr

__all__ = ["write_graph", "gfile", "TFRecordWriter", "TFRecordOptions", "tf_record_iterator",
           "FixedLenFeature", "VarLenFeature", "parse_single_example"]

__getattr__ = namespace_getattr("io")
