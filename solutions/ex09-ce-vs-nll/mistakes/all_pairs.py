# fails: course_values, hand_equals_torch_random, targets_are_class_indices

def nll_loss(log_probs, y):
    """The mean over the batch of ``-log_probs[i, y[i]]``; ``y`` holds class indices (int64)."""
    return -log_probs[:, y].mean()
