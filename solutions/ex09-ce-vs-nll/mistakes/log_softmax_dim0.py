# fails: log_softmax_rows

def log_softmax(z):
    """The log of the softmax of every row of the ``(N, C)`` logits ``z``, shape ``(N, C)``."""
    row_max = z.max(dim=0, keepdim=True).values
    shifted = z - row_max
    log_sum_exp = torch.log(torch.exp(shifted).sum(dim=0, keepdim=True))
    return shifted - log_sum_exp
