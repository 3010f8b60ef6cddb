# fails: gradients_course_data, gradient_descent_course, functions_random, gradient_descent_random, large_learning_rate_diverges, defaults_and_edge_cases

def gradient(xs, ys, w):
    """Derivative of ``cost(xs, ys, w)`` with respect to ``w``: the mean of ``2 * x * (x*w - y)``."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    return float(np.sum(2 * xs * (forward(xs, w) - ys)))  # MISTAKE: sum, not mean
