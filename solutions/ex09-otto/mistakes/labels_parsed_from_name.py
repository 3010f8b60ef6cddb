# fails: encode_labels

def encode_labels(targets):
    """``Class_k`` -> ``k - 1`` for every target, as an int64 tensor; ValueError for anything else."""
    # MISTAKE: parses the number, so "Class_10" or "class_3" pass silently
    return torch.tensor([int(t.split("_")[1]) - 1 for t in targets], dtype=torch.int64)
