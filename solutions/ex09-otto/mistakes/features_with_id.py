# fails: read_train_and_test

def read_train(path):
    """``(ids, features, labels)`` of an Otto train.csv: int64 (n,), float32 (n, 93), int64 (n,)."""
    frame = pd.read_csv(path)
    ids = torch.tensor(frame["id"].to_numpy(dtype=np.int64))
    features = torch.tensor(frame.drop(columns="target").to_numpy(dtype=np.float32))  # MISTAKE: keeps id
    return ids, features, encode_labels(frame["target"])


def read_test(path):
    """``(ids, features)`` of an Otto test.csv: int64 (n,), float32 (n, 93)."""
    frame = pd.read_csv(path)
    ids = torch.tensor(frame["id"].to_numpy(dtype=np.int64))
    features = torch.tensor(frame.to_numpy(dtype=np.float32))  # MISTAKE: keeps id
    return ids, features
