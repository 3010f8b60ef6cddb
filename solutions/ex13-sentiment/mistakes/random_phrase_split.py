# fails: grouped_split

def grouped_split(sentence_ids, valid_fraction=0.2, seed=0):
    """Split rows by sentence: returns (train_rows, valid_rows), sorted lists of row positions.

    The distinct sentence ids are shuffled with ``np.random.default_rng(seed)``; the first
    ``round(valid_fraction * number of sentences)`` of them go to validation with all their
    rows, the others to training. No sentence has rows on both sides.
    """
    sentence_ids = np.asarray(sentence_ids)
    rows = np.random.default_rng(seed).permutation(len(sentence_ids))
    in_valid = np.zeros(len(sentence_ids), dtype=bool)
    in_valid[rows[: int(round(valid_fraction * len(sentence_ids)))]] = True
    return np.flatnonzero(~in_valid).tolist(), np.flatnonzero(in_valid).tolist()
