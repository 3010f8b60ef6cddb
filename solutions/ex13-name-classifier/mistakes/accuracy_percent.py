# fails: accuracy

def accuracy(model, names, targets, batch_size=1024):
    """The fraction (0 to 1) of names whose predicted class index equals its target."""
    correct = 0
    for start in range(0, len(names), batch_size):
        logits = classify(model, names[start:start + batch_size])
        wanted = torch.as_tensor(targets[start:start + batch_size], dtype=torch.long)
        correct += int((logits.argmax(dim=1) == wanted).sum())
    return 100 * correct / len(names)
