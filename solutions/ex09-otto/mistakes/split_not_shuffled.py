# fails: stratified_split

def stratified_split(labels, val_fraction=0.2, seed=0):
    """Shuffled, stratified split of the row indices: ``(train_idx, val_idx)``, int64 tensors.

    Each class sends ``round(val_fraction * its size)`` of its rows, chosen at random, to the
    validation part; both parts are returned in random order.
    """
    # MISTAKE: the last rows go to validation (the file is sorted by class)
    n = len(labels)
    n_val = int(round(val_fraction * n))
    return torch.arange(0, n - n_val), torch.arange(n - n_val, n)
