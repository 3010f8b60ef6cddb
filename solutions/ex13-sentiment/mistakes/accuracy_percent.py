# fails: predict_and_accuracy

def accuracy(model, encoded, labels, batch_size=1024):
    """The fraction (0 to 1) of phrases whose predicted class equals its label."""
    predictions = predict(model, encoded, batch_size)
    return 100 * sum(int(p == int(y)) for p, y in zip(predictions, labels)) / len(encoded)
