# fails: run_cell

def run_cell(cell, inputs, hidden):
    """Run an nn.RNNCell over a sequence by hand.

    ``inputs`` is (seq_len, batch, input_size) and ``hidden`` (batch, hidden_size). Returns
    ``(outputs, hidden)``: the hidden state after every step stacked into
    (seq_len, batch, hidden_size), and the last one.
    """
    outputs = []
    for x_t in inputs:  # one time step: (batch, input_size)
        new_hidden = cell(x_t, hidden)
        outputs.append(new_hidden)
    return torch.stack(outputs), new_hidden
