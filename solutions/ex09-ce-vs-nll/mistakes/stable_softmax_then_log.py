# fails: logits_of_1000

def log_softmax(z):
    """The log of the softmax of every row of the ``(N, C)`` logits ``z``, shape ``(N, C)``."""
    row_max = z.max(dim=1, keepdim=True).values
    shifted = z - row_max  # every entry <= 0, the largest exactly 0
    probabilities = torch.exp(shifted) / torch.exp(shifted).sum(dim=1, keepdim=True)
    return torch.log(probabilities)
