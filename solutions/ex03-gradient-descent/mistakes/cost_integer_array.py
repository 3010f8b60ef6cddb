# fails: functions_integer_inputs

def cost(xs, ys, w):
    """Mean squared error of the weight ``w`` over the samples ``(xs, ys)``."""
    errors = np.zeros_like(xs)  # MISTAKE: an integer array when the data are integers
    for i in range(len(xs)):
        errors[i] = (forward(xs[i], w) - ys[i]) ** 2
    return float(np.mean(errors))
