# fails: nll_loss_picks_and_averages

def nll_loss(log_probs, y):
    """The mean over the batch of ``-log_probs[i, y[i]]``; ``y`` holds class indices (int64)."""
    rows = torch.arange(log_probs.shape[0], device=log_probs.device)
    return -log_probs[rows, y].sum()
