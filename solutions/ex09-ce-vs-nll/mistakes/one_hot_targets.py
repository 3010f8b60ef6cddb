# fails: nll_loss_picks_and_averages

def nll_loss(log_probs, y):
    """The mean over the batch of ``-log_probs[i, y[i]]``; ``y`` holds class indices (int64)."""
    return -(y * log_probs).sum(dim=1).mean()
