# fails: embedding_models_match_reference
"""Lecture 12: from "hello" to "ohlol" with RNNCell, RNN, Embedding, LSTM and GRU (reference solution).

A recurrent network reads a sequence one step at a time and carries a hidden state from
step to step; the same weights serve every step. We teach it to turn the characters of
"hello" into those of "ohlol": one-hot vectors first (the hidden state itself is the
output, so hidden_size equals the number of characters), then a learned embedding with a
linear layer on top, and finally the same network with LSTM and GRU layers.

Shapes (without batch_first): inputs (seq_len, batch, input_size), hidden states
(num_layers, batch, hidden_size), outputs (seq_len, batch, hidden_size). batch_first=True
swaps the first two axes of inputs and outputs only; hidden states keep their shape.
"""

import torch
from torch import nn

idx2char = ["e", "h", "l", "o"]
x_data = [1, 0, 2, 2, 3]  # h e l l o
y_data = [3, 1, 2, 3, 2]  # o h l o l
num_classes = 4
embedding_size = 10

GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def one_hot(indices, num_classes):
    """One-hot rows: a float32 tensor of shape (len(indices), num_classes)."""
    indices = torch.as_tensor(indices, dtype=torch.long)
    rows = torch.zeros(len(indices), num_classes)
    rows[torch.arange(len(indices)), indices] = 1.0
    return rows


def make_inputs(indices, num_classes, batch_first=False):
    """The one-hot sequence as a batch of one: (seq_len, 1, num_classes), or (1, seq_len, num_classes)."""
    rows = one_hot(indices, num_classes)
    return rows.unsqueeze(0) if batch_first else rows.unsqueeze(1)


def rnn_shapes(seq_len, batch_size, input_size, hidden_size, num_layers=1, batch_first=False):
    """The shapes nn.RNN expects and returns, as tuples in a dict with keys input, hidden, output."""
    if batch_first:
        input_shape = (batch_size, seq_len, input_size)
        output_shape = (batch_size, seq_len, hidden_size)
    else:
        input_shape = (seq_len, batch_size, input_size)
        output_shape = (seq_len, batch_size, hidden_size)
    # batch_first never changes the hidden state: it stays (num_layers, batch, hidden_size).
    return {"input": input_shape, "hidden": (num_layers, batch_size, hidden_size), "output": output_shape}


def rnn_parameter_count(mode, input_size, hidden_size, num_layers=1, bidirectional=False):
    """The number of parameters of nn.RNN / nn.GRU / nn.LSTM (``mode`` "RNN", "GRU" or "LSTM"), with biases.

    Each gate of each direction of each layer has a weight matrix for its input, one for the
    hidden state, and two bias vectors (bias_ih and bias_hh). Layers after the first read
    the previous layer's output, whose size is num_directions * hidden_size.
    """
    gates = GATES[mode]
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else directions * hidden_size
        per_direction = gates * hidden_size * (layer_input + hidden_size) + 2 * gates * hidden_size
        total += directions * per_direction
    return total


def count_parameters(module):
    """The number of numbers a module learns: the sum of numel over its parameters."""
    return sum(p.numel() for p in module.parameters())


def run_cell(cell, inputs, hidden):
    """Run an nn.RNNCell over a sequence by hand.

    ``inputs`` is (seq_len, batch, input_size) and ``hidden`` (batch, hidden_size). Returns
    ``(outputs, hidden)``: the hidden state after every step stacked into
    (seq_len, batch, hidden_size), and the last one.
    """
    outputs = []
    for x_t in inputs:  # one time step: (batch, input_size)
        hidden = cell(x_t, hidden)
        outputs.append(hidden)
    return torch.stack(outputs), hidden


class CellModel(nn.Module):
    """Version 1: an nn.RNNCell (attribute ``rnncell``) run over the sequence with a hand loop."""

    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnncell = nn.RNNCell(input_size, hidden_size)

    def forward(self, inputs):
        """(seq_len, batch, input_size) -> logits (seq_len * batch, hidden_size), from a zero hidden state."""
        hidden = torch.zeros(inputs.size(1), self.hidden_size)
        outputs, _ = run_cell(self.rnncell, inputs, hidden)
        return outputs.reshape(-1, self.hidden_size)


class RNNModel(nn.Module):
    """Version 2: an nn.RNN (attribute ``rnn``) over one-hot inputs; the hidden states are the logits."""

    def __init__(self, input_size, hidden_size, num_layers=1, batch_first=False):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.batch_first = batch_first
        self.rnn = nn.RNN(input_size, hidden_size, num_layers=num_layers, batch_first=batch_first)

    def init_hidden(self, batch_size):
        """The zero initial hidden state, (num_layers, batch_size, hidden_size)."""
        return torch.zeros(self.num_layers, batch_size, self.hidden_size)

    def forward(self, inputs):
        """Inputs (seq_len, batch, input_size), or (batch, seq_len, input_size) with batch_first.

        Returns the logits (seq_len * batch, hidden_size), rows in the order of the output.
        """
        batch_size = inputs.size(0) if self.batch_first else inputs.size(1)
        out, _ = self.rnn(inputs, self.init_hidden(batch_size))
        return out.reshape(-1, self.hidden_size)


class EmbeddingModel(nn.Module):
    """Version 3: Embedding -> RNN / GRU / LSTM (batch_first) -> Linear.

    Attributes ``emb`` (nn.Embedding(num_classes, embedding_size)), ``rnn`` (nn.RNN, nn.GRU
    or nn.LSTM as ``rnn_type`` says, batch_first=True) and ``fc`` (nn.Linear(hidden_size,
    num_classes)).
    """

    def __init__(self, num_classes, embedding_size, hidden_size, num_layers=1, rnn_type="RNN"):
        super().__init__()
        self.num_classes = num_classes
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.rnn_type = rnn_type
        layer = {"RNN": nn.RNN, "GRU": nn.GRU, "LSTM": nn.LSTM}[rnn_type]
        self.emb = nn.Embedding(num_classes, embedding_size)
        self.rnn = layer(embedding_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)

    def init_hidden(self, batch_size):
        """Zero initial state: (num_layers, batch, hidden_size); for an LSTM the pair (h0, c0)."""
        h0 = torch.zeros(self.num_layers, batch_size, self.hidden_size)
        return h0

    def forward(self, x):
        """Character indices (batch, seq_len) -> logits (batch * seq_len, num_classes)."""
        embedded = self.emb(x)  # (batch, seq_len, embedding_size)
        if self.rnn_type == "LSTM":
            out, _ = self.rnn(embedded)
        else:
            out, _ = self.rnn(embedded, self.init_hidden(x.size(0)))
        return self.fc(out).reshape(-1, self.num_classes)


def train(model, inputs, labels, lr, epochs):
    """Train with Adam(lr) and CrossEntropyLoss on ``model(inputs)`` against ``labels``.

    Returns the loss history: ``losses[e]`` is the loss of epoch ``e`` (a float), computed
    before that epoch's optimizer step.
    """
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    labels = torch.as_tensor(labels, dtype=torch.long)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def predict(model, inputs):
    """The string the model outputs: the argmax of each row of logits, through idx2char."""
    with torch.no_grad():
        logits = model(inputs)
    return "".join(idx2char[i] for i in logits.argmax(dim=1).tolist())


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
