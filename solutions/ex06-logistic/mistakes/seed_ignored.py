# fails: fit_uses_its_arguments

def fit(seed=0, epochs=1000, lr=0.01):
    """The course's run: a model built right after ``torch.manual_seed(seed)``, trained on the course data."""
    torch.manual_seed(0)
    model = LogisticRegressionModel()
    train(model, x_data, y_data, epochs, lr)
    return model
