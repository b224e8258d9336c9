"""`tf.train`: optimizers, learning-rate schedules, global-step helpers and Saver."""

from . import checkpoint_management, optimizer, optimizers, saver, schedules, training_util
from .checkpoint_management import *  # noqa: F401,F403
from .optimizer import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .saver import *  # noqa: F401,F403
from .schedules import *  # noqa: F401,F403
from .training_util import *  # noqa: F401,F403
from ..export.graph_def import write_graph  # noqa: F401  (tf.train.write_graph = tf.io.write_graph)
from .meta_graph import export_meta_graph, import_meta_graph  # noqa: F401

__all__ = (checkpoint_management.__all__ + optimizer.__all__ + optimizers.__all__
           + saver.__all__ + schedules.__all__ + training_util.__all__
           + ["write_graph", "export_meta_graph", "import_meta_graph"])
