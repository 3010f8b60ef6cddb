# fails: encode_labels

def encode_labels(targets):
    """``Class_k`` -> ``k - 1`` for every target, as an int64 tensor; ValueError for anything else."""
    index = {name: k + 1 for k, name in enumerate(CLASSES)}  # MISTAKE: Class_k -> k
    codes = []
    for target in targets:
        if target not in index:
            raise ValueError(f"unknown Otto label {target!r}: expected one of Class_1 .. Class_9")
        codes.append(index[target])
    return torch.tensor(codes, dtype=torch.int64)
