# fails: accuracy_threshold

def accuracy(model, x, y):
    """The fraction (a float in [0, 1]) of samples whose prediction ``model(x) >= 0.5`` equals ``y``."""
    with torch.no_grad():
        predictions = (model(x) >= 0.5).float()
    return 100 * (predictions == y).float().mean().item()
