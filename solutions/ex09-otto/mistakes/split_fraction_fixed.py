# fails: split_random

def stratified_split(labels, val_fraction=0.2, seed=0):
    """Shuffled, stratified split of the row indices: ``(train_idx, val_idx)``, int64 tensors."""
    labels = torch.as_tensor(labels).cpu().numpy()
    rng = np.random.default_rng(seed)
    train_parts, val_parts = [], []
    for k in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == k))
        n_val = int(round(0.2 * len(members)))  # MISTAKE: the val_fraction argument is ignored
        val_parts.append(members[:n_val])
        train_parts.append(members[n_val:])
    train_idx = rng.permutation(np.concatenate(train_parts))
    val_idx = rng.permutation(np.concatenate(val_parts))
    return torch.tensor(train_idx, dtype=torch.int64), torch.tensor(val_idx, dtype=torch.int64)
