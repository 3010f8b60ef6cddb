# fails: make_tensors

def make_tensors(names, targets=None):
    """Pad, sort and index a batch of names.

    Returns ``(seq_tensor, lengths, sorted_targets, order)``:

    - ``seq_tensor``: int64 (batch, longest name), the codes of each name followed by zeros,
      rows sorted by length, longest first (names of equal length keep their order);
    - ``lengths``: int64 (batch,), the length of each row of ``seq_tensor``;
    - ``sorted_targets``: int64 (batch,), ``targets`` in the order of the rows (None without targets);
    - ``order``: int64 (batch,), the permutation: row ``k`` is ``names[order[k]]``.
    """
    codes = [encode_name(name) for name in names]
    if any(len(c) == 0 for c in codes):
        raise ValueError("an empty name cannot be classified")
    lengths = torch.tensor([len(c) for c in codes], dtype=torch.long)
    padded = torch.zeros(len(codes), int(lengths.max()), dtype=torch.long)
    for row, name_codes in enumerate(codes):
        padded[row, : len(name_codes)] = torch.tensor(name_codes, dtype=torch.long)
    lengths, order = lengths.sort(descending=True, stable=True)
    sorted_targets = None
    if targets is not None:
        sorted_targets = torch.as_tensor(targets, dtype=torch.long)
    return padded[order], lengths, sorted_targets, order
