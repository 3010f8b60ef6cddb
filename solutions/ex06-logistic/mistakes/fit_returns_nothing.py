# fails: fit

def fit(seed=0, epochs=1000, lr=0.01):
    """Seed, build a model, train it on the course data."""
    torch.manual_seed(seed)
    model = LogisticRegressionModel()
    train(model, x_data, y_data, epochs, lr)  # MISTAKE: the trained model is not returned
