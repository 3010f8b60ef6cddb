# fails: parameter_count_stacks

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
        layer_input = input_size
        per_direction = gates * hidden_size * (layer_input + hidden_size) + 2 * gates * hidden_size
        total += directions * per_direction
    return total
