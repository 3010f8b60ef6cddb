# fails: fit

def fit(seed=0, epochs=100, lr=0.01):
    """The course's run: a model built right after ``torch.manual_seed(seed)``, trained on the course data."""
    torch.manual_seed(seed)
    model = LogisticRegressionModel()
    train(model, x_data, y_data, epochs, lr)
    return model
