# fails: logits_of_1000

def log_softmax(z):
    """The log of the softmax of every row of the ``(N, C)`` logits ``z``, shape ``(N, C)``."""
    probabilities = torch.exp(z) / torch.exp(z).sum(dim=1, keepdim=True)
    return torch.log(probabilities)
