# fails: make_inputs

def make_inputs(indices, num_classes, batch_first=False):
    """The one-hot sequence as a batch of one: (seq_len, 1, num_classes), or (1, seq_len, num_classes)."""
    rows = one_hot(x_data, num_classes)
    return rows.unsqueeze(0) if batch_first else rows.unsqueeze(1)
