"""`tf.nn.rnn_cell` (also `tf.contrib.rnn`): re-exports of the cells in layers/rnn_cell.py."""

from ..layers.rnn_cell import (BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell,
                               LSTMCell, LSTMStateTuple, MultiRNNCell, RNNCell)

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "LSTMStateTuple"]
