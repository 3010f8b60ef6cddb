# fails: course_values, hand_equals_torch_random, targets_are_class_indices, gradient_matches_torch

def nll_loss(log_probs, y):
    """The mean over the batch of ``-log_probs[i, y[i]]``; ``y`` holds class indices (int64)."""
    rows = torch.arange(log_probs.shape[0], device=log_probs.device)
    return -log_probs[rows, y].sum()
