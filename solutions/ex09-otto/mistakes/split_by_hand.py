# fails: read_train_and_test

def read_train(path):
    """``(ids, features, labels)`` of an Otto train.csv: int64 (n,), float32 (n, 93), int64 (n,)."""
    # MISTAKE: parses the lines by hand; a quoted label stays '"Class_1"'
    with open(path) as f:
        rows = [line.rstrip("\n").split(",") for line in f][1:]
    ids = torch.tensor([int(r[0]) for r in rows], dtype=torch.int64)
    features = torch.tensor([[float(v) for v in r[1:-1]] for r in rows], dtype=torch.float32)
    return ids, features, encode_labels([r[-1] for r in rows])
