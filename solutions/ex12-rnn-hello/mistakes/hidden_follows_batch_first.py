# fails: rnn_shapes

def rnn_shapes(seq_len, batch_size, input_size, hidden_size, num_layers=1, batch_first=False):
    """The shapes nn.RNN expects and returns, as tuples in a dict with keys input, hidden, output."""
    if batch_first:
        input_shape = (batch_size, seq_len, input_size)
        output_shape = (batch_size, seq_len, hidden_size)
    else:
        input_shape = (seq_len, batch_size, input_size)
        output_shape = (seq_len, batch_size, hidden_size)
    # batch_first never changes the hidden state: it stays (num_layers, batch, hidden_size).
    hidden_shape = (batch_size, num_layers, hidden_size) if batch_first else (num_layers, batch_size, hidden_size)
    return {"input": input_shape, "hidden": hidden_shape, "output": output_shape}
