# fails: make_batch

def make_batch(encoded):
    """Pad encoded phrases with 0: (tokens int64 (batch, longest), lengths int64 (batch,)), in the order given."""
    encoded = sorted(encoded, key=len, reverse=True)
    lengths = torch.tensor([len(e) for e in encoded], dtype=torch.long)
    tokens = torch.zeros(len(encoded), int(lengths.max()), dtype=torch.long)
    for row, indices in enumerate(encoded):
        tokens[row, : len(indices)] = torch.tensor(indices, dtype=torch.long)
    return tokens, lengths
