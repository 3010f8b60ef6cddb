# fails: compare_same_initial_weights

def compare_activations(x, y, names=ACTIVATIONS, epochs=100, lr=0.1, seed=0):
    """Train one network per activation in ``names`` from the same initial weights.

    Returns ``{name: {"losses": [...], "accuracy": float}}``: the loss curve of ``train`` and
    the accuracy on ``(x, y)`` after training.
    """
    results = {}
    torch.manual_seed(seed)
    for name in names:
        model = DiabetesNet(name)
        losses = train(model, x, y, epochs, lr)
        results[name] = {"losses": losses, "accuracy": accuracy(model, x, y)}
    return results
