# fails: one_hot

def one_hot(indices, num_classes):
    """One-hot rows: a float32 tensor of shape (len(indices), num_classes)."""
    return nn.functional.one_hot(torch.as_tensor(indices), num_classes)
