"""`tf.nn.rnn_cell`: re-exports of the recurrent cells (logic in layers/rnn_cell.py)."""

from ..layers.rnn_cell import (BasicLSTMCell, BasicRNNCell, DeviceWrapper, DropoutWrapper,
                               GRUCell, LSTMCell, LSTMStateTuple, MultiRNNCell, ResidualWrapper,
                               RNNCell)
from ..framework.missing import namespace_getattr

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple"]

__getattr__ = namespace_getattr("nn.rnn_cell")
