"""`tf.contrib.rnn`: TF1's other home of the recurrent cells (layers/rnn_cell.py), and static_rnn.

Imported by `tf.contrib` (api/contrib/__init__.py) as its `rnn` member.
"""

from ...layers.rnn import static_bidirectional_rnn, static_rnn
from ...layers.rnn_cell import (BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell,
                                LSTMCell, LSTMStateTuple, MultiRNNCell, RNNCell, ResidualWrapper,
                                DeviceWrapper)
from ...framework.missing import namespace_getattr

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple", "static_rnn",
           "static_bidirectional_rnn"]

__getattr__ = namespace_getattr("contrib.rnn")
