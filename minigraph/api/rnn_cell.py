"""`tf.nn.rnn_cell`: re-exports of the recurrent cells (logic in layers/rnn_cell.py)."""

from ..layers.rnn_cell import (BasicLSTMCell, BasicRNNCell, DeviceWrapper, DropoutWrapper,
                               GRUCell, LSTMCell, LSTMStateTuple, MultiRNNCell, ResidualWrapper,
                               RNNCell)

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "LSTMStateTuple"]
