# fails: stratified_split

def stratified_split(labels, val_fraction=0.2, seed=0):
    """Shuffled, stratified split of the row indices: ``(train_idx, val_idx)``, int64 tensors.

    Each class sends ``round(val_fraction * its size)`` of its rows, chosen at random, to the
    validation part; both parts are returned in random order.
    """
    # MISTAKE: shuffled, but not stratified
    n = len(labels)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = int(round(val_fraction * n))
    return order[n_val:], order[:n_val]
