"""`tf.data`: datasets of in-memory tensors, Python generators, text lines and TFRecords,
and the TF1 iterators that read them inside a session."""

from . import experimental, transformations  # noqa: F401  (transformations: Dataset methods)
from .dataset_ops import Dataset
from .iterator_ops import (Iterator, get_output_classes, get_output_shapes, get_output_types,
                           make_initializable_iterator, make_one_shot_iterator)
from .readers import TextLineDataset, TFRecordDataset
from .structure import TensorSpec
from ..framework.missing import namespace_getattr

__all__ = ["Dataset", "Iterator", "TensorSpec", "experimental", "TextLineDataset",
           "TFRecordDataset", "make_one_shot_iterator", "make_initializable_iterator",
           "get_output_types", "get_output_shapes", "get_output_classes"]

__getattr__ = namespace_getattr("data")
