"""`tf.train`: optimizers, learning-rate schedules, global-step helpers and Saver."""

from . import (checkpoint_management, checkpoint_utils, moving_averages, optimizer, optimizers,
               saver, schedules, training_util)
from .checkpoint_management import *  # noqa: F401,F403
from .checkpoint_utils import *  # noqa: F401,F403
from .moving_averages import *  # noqa: F401,F403
from .optimizer import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .saver import *  # noqa: F401,F403
from .schedules import *  # noqa: F401,F403
from .training_util import *  # noqa: F401,F403
from ..export.event_reader import summary_iterator  # noqa: F401
# tf.train.write_graph = tf.io.write_graph
from ..export.graph_def import write_graph  # noqa: F401
from .meta_graph import export_meta_graph  # noqa: F401
from ..data.example_proto import (BytesList, Example, Feature, Features, FloatList,  # noqa: F401
                                  Int64List)
from ..framework.missing import namespace_getattr

__all__ = (checkpoint_management.__all__ + checkpoint_utils.__all__ + moving_averages.__all__
           + optimizer.__all__ + optimizers.__all__ + saver.__all__ + schedules.__all__
           + training_util.__all__
           + ["write_graph", "summary_iterator", "export_meta_graph"]
           + ["Example", "Features", "Feature", "BytesList", "FloatList", "Int64List"])

__getattr__ = namespace_getattr("train")
