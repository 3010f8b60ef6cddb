# fails: make_batch

def make_batch(encoded):
    """Pad encoded phrases with 0: (tokens int64 (batch, longest), lengths int64 (batch,)), in the order given."""
    raise NotImplementedError("make_batch")
