# fails: compare_optimizers

def compare_optimizers(epochs=100, lr=0.01, seed=0):
    """Train a fresh model with each optimizer in ``OPTIMIZERS``; return ``{name: losses}``.

    Every model is built right after ``torch.manual_seed(seed)``, so all start from the
    same weights and the curves differ only by the optimizer.
    """
    curves = {}
    torch.manual_seed(seed)
    model = LinearModel()
    for name in OPTIMIZERS:
        optimizer = make_optimizer(name, model.parameters(), lr=lr)
        curves[name] = train(model, optimizer, x_data, y_data, epochs)
    return curves
