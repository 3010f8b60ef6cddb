# fails: accuracy_threshold

def accuracy(model, x, y):
    """The fraction (a float in [0, 1]) of samples whose prediction ``model(x) >= 0.5`` equals ``y``."""
    with torch.no_grad():
        predictions = model(x).argmax(dim=1, keepdim=True).float()
    return (predictions == y).float().mean().item()
