"""Lecture 12 (Basic RNN) and its LSTM / GRU homework: teach a network to turn "hello" into "ohlol".

The characters are numbered by ``idx2char = ['e', 'h', 'l', 'o']``: the input "hello" is
``x_data = [1, 0, 2, 2, 3]`` and the target "ohlol" is ``y_data = [3, 1, 2, 3, 2]``. You
build the course's versions one after the other: one-hot inputs with an ``nn.RNNCell`` and a
hand-written loop over time, the same with ``nn.RNN``, then an ``nn.Embedding`` with a
linear layer on top, and finally that model with ``nn.GRU`` and ``nn.LSTM`` layers.

Shapes (without ``batch_first``): inputs ``(seq_len, batch, input_size)``, hidden states
``(num_layers, batch, hidden_size)``, outputs ``(seq_len, batch, hidden_size)``.
``batch_first=True`` swaps the first two axes of the inputs and outputs; the hidden states
keep their shape.

Implement:

- ``one_hot(indices, num_classes)``: a **float32** tensor of shape
  ``(len(indices), num_classes)`` whose row ``t`` is 1 at ``indices[t]`` and 0 elsewhere.
- ``make_inputs(indices, num_classes, batch_first=False)``: the one-hot sequence (build it with
  your ``one_hot``) as a batch of one: shape ``(seq_len, 1, num_classes)``, or
  ``(1, seq_len, num_classes)`` with ``batch_first=True``.
- ``rnn_shapes(seq_len, batch_size, input_size, hidden_size, num_layers=1, batch_first=False)``:
  a dict with keys ``"input"``, ``"hidden"`` and ``"output"`` whose values are the shapes
  (tuples of ints) of the input, the initial hidden state ``h0`` and the output of
  ``nn.RNN(input_size, hidden_size, num_layers, batch_first=batch_first)``.
- ``rnn_parameter_count(mode, input_size, hidden_size, num_layers=1, bidirectional=False)``:
  the number of parameters (biases included) of ``nn.RNN``, ``nn.GRU`` or ``nn.LSTM``
  (``mode`` is ``"RNN"``, ``"GRU"`` or ``"LSTM"``), computed from the sizes by a formula,
  without building the layer.
- ``count_parameters(module)``: the number of learnable numbers of any ``nn.Module``.
- ``run_cell(cell, inputs, hidden)``: run an ``nn.RNNCell`` over ``inputs``
  ``(seq_len, batch, input_size)`` from ``hidden`` ``(batch, hidden_size)`` with a loop over
  time; return ``(outputs, hidden)``: the hidden states of all steps stacked into
  ``(seq_len, batch, hidden_size)`` and the last hidden state ``(batch, hidden_size)``.
  With the same weights this gives exactly what ``nn.RNN`` gives.
- ``CellModel(input_size, hidden_size)``: an ``nn.Module`` with the attribute ``rnncell``
  (``nn.RNNCell(input_size, hidden_size)``); ``forward(inputs)`` takes
  ``(seq_len, batch, input_size)``, starts from a zero hidden state, uses ``run_cell`` and
  returns the hidden states as logits reshaped to ``(seq_len * batch, hidden_size)``.
- ``RNNModel(input_size, hidden_size, num_layers=1, batch_first=False)``: an ``nn.Module``
  with the attribute ``rnn`` (``nn.RNN(input_size, hidden_size, num_layers=num_layers,
  batch_first=batch_first)``); ``init_hidden(batch_size)`` returns the zero state
  ``(num_layers, batch_size, hidden_size)``; ``forward(inputs)`` reads the batch size from
  the inputs (axis 0 with ``batch_first``, else axis 1), runs the RNN from that zero state and
  returns its output reshaped to ``(seq_len * batch, hidden_size)`` (rows in the order of the
  output tensor).
- ``EmbeddingModel(num_classes, embedding_size, hidden_size, num_layers=1, rnn_type="RNN")``:
  an ``nn.Module`` with the attributes ``emb`` (``nn.Embedding(num_classes, embedding_size)``),
  ``rnn`` (``nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` as ``rnn_type`` says, ``(embedding_size,
  hidden_size, num_layers=num_layers, batch_first=True)``) and ``fc``
  (``nn.Linear(hidden_size, num_classes)``). ``init_hidden(batch_size)`` returns the zero
  state ``(num_layers, batch_size, hidden_size)``, for an LSTM the pair ``(h0, c0)`` of two
  such tensors. ``forward(x)`` takes character indices ``(batch, seq_len)`` (int64) and
  returns logits ``(batch * seq_len, num_classes)``.
- ``train(model, inputs, labels, lr, epochs)``: ``torch.optim.Adam(model.parameters(), lr=lr)``
  and ``nn.CrossEntropyLoss()`` on ``model(inputs)`` against ``labels`` (a list or tensor of
  class indices), one step per epoch; returns ``losses`` (a list of floats) where
  ``losses[e]`` is the loss of epoch ``e`` computed before that epoch's optimizer step.
- ``predict(model, inputs)``: the string the model outputs: the argmax of each row of
  ``model(inputs)`` through ``idx2char`` (no gradients needed).

Facts to check yourself against: ``nn.RNN(4, 4)`` has 40 parameters. With Adam at lr 0.1
for 15 epochs the one-hot models predict "ohlol" from most starting weights (about 3 seeds
in 4; a few end at "ohlll"), and ``EmbeddingModel(4, 10, 8, num_layers=2)`` with lr 0.05
for 15 epochs almost always does.
"""

import torch
from torch import nn

idx2char = ["e", "h", "l", "o"]
x_data = [1, 0, 2, 2, 3]  # h e l l o
y_data = [3, 1, 2, 3, 2]  # o h l o l
num_classes = 4
embedding_size = 10


def one_hot(indices, num_classes):
    """One-hot rows: a float32 tensor of shape (len(indices), num_classes)."""
    # TODO: a zero matrix with a 1 at (t, indices[t]) in every row t.
    raise NotImplementedError("one_hot")


def make_inputs(indices, num_classes, batch_first=False):
    """The one-hot sequence as a batch of one: (seq_len, 1, num_classes), or (1, seq_len, num_classes)."""
    # TODO: one_hot, then add the batch axis in the right place.
    raise NotImplementedError("make_inputs")


def rnn_shapes(seq_len, batch_size, input_size, hidden_size, num_layers=1, batch_first=False):
    """The shapes nn.RNN expects and returns, as tuples in a dict with keys input, hidden, output."""
    # TODO: three tuples; think about which of them batch_first changes.
    raise NotImplementedError("rnn_shapes")


def rnn_parameter_count(mode, input_size, hidden_size, num_layers=1, bidirectional=False):
    """The number of parameters of nn.RNN / nn.GRU / nn.LSTM ("RNN", "GRU", "LSTM"), biases included."""
    # TODO: count the weights and biases of every gate, direction and layer.
    raise NotImplementedError("rnn_parameter_count")


def count_parameters(module):
    """The number of numbers a module learns."""
    # TODO: add up the sizes of the module's parameters.
    raise NotImplementedError("count_parameters")


def run_cell(cell, inputs, hidden):
    """Run an nn.RNNCell over (seq_len, batch, input_size); return (all hidden states, last hidden state)."""
    # TODO: loop over the time steps, feeding each new hidden state back into the cell.
    raise NotImplementedError("run_cell")


class CellModel(nn.Module):
    """Version 1: an nn.RNNCell (attribute ``rnncell``) run over the sequence with a hand loop."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        # TODO: keep hidden_size and build self.rnncell.
        raise NotImplementedError("CellModel")

    def forward(self, inputs):
        """(seq_len, batch, input_size) -> logits (seq_len * batch, hidden_size), from a zero hidden state."""
        # TODO: a zero hidden state, run_cell, reshape.
        raise NotImplementedError("CellModel.forward")


class RNNModel(nn.Module):
    """Version 2: an nn.RNN (attribute ``rnn``) over one-hot inputs; the hidden states are the logits."""

    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        # TODO: keep the sizes and build self.rnn.
        raise NotImplementedError("RNNModel")

    def init_hidden(self, batch_size):
        """The zero initial hidden state, (num_layers, batch_size, hidden_size)."""
        # TODO
        raise NotImplementedError("RNNModel.init_hidden")

    def forward(self, inputs):
        """(seq_len, batch, input_size), or (batch, seq_len, input_size) with batch_first -> (seq_len * batch, hidden_size)."""
        # TODO: the batch size from the inputs, the RNN from a zero state, reshape.
        raise NotImplementedError("RNNModel.forward")


class EmbeddingModel(nn.Module):
    """Version 3: Embedding (``emb``) -> RNN / GRU / LSTM (``rnn``, batch_first) -> Linear (``fc``)."""

    def __init__(self, num_classes, embedding_size, hidden_size, num_layers=1, rnn_type="RNN"):
        super().__init__()
        # TODO: keep the sizes and rnn_type; build self.emb, self.rnn and self.fc.
        raise NotImplementedError("EmbeddingModel")

    def init_hidden(self, batch_size):
        """Zero initial state (num_layers, batch, hidden_size); for an LSTM the pair (h0, c0)."""
        # TODO
        raise NotImplementedError("EmbeddingModel.init_hidden")

    def forward(self, x):
        """Character indices (batch, seq_len) -> logits (batch * seq_len, num_classes)."""
        # TODO: embed, run the recurrent layer from init_hidden, apply fc, reshape.
        raise NotImplementedError("EmbeddingModel.forward")


def train(model, inputs, labels, lr, epochs):
    """Adam(lr) + CrossEntropyLoss, one step per epoch; losses[e] is epoch e's loss before its step."""
    # TODO: the four lines of every training loop, recording loss.item() each epoch.
    raise NotImplementedError("train")


def predict(model, inputs):
    """The string the model outputs: argmax of each row of logits, through idx2char."""
    # TODO
    raise NotImplementedError("predict")


if __name__ == "__main__":
    torch.manual_seed(0)
    one_hot_inputs = make_inputs(x_data, num_classes)
    for name, model in [("RNNCell", CellModel(num_classes, num_classes)), ("RNN", RNNModel(num_classes, num_classes))]:
        losses = train(model, one_hot_inputs, y_data, lr=0.1, epochs=15)
        print(f"{name:8s} loss {losses[0]:.3f} -> {losses[-1]:.3f}, predicts {predict(model, one_hot_inputs)}")
    indices = torch.tensor([x_data])
    for rnn_type in ("RNN", "GRU", "LSTM"):
        model = EmbeddingModel(num_classes, embedding_size, hidden_size=8, num_layers=2, rnn_type=rnn_type)
        losses = train(model, indices, y_data, lr=0.05, epochs=15)
        print(f"{rnn_type:8s} loss {losses[0]:.3f} -> {losses[-1]:.3f}, predicts {predict(model, indices)}"
              f" ({count_parameters(model)} parameters)")
