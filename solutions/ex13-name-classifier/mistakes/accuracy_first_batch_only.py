# fails: accuracy_over_batches

def accuracy(model, names, targets, batch_size=1024):
    """The fraction (0 to 1) of names whose predicted class index equals its target."""
    logits = classify(model, names[:batch_size])
    wanted = torch.as_tensor(targets[:batch_size], dtype=torch.long)
    return int((logits.argmax(dim=1) == wanted).sum()) / len(names)
