# fails: gradients_course_data, sgd_course, functions_random, sgd_random, defaults_and_edge_cases, large_learning_rate_diverges

def sgd_gradient(x, y, w):
    """Derivative of one sample's loss ``(x*w - y)**2`` with respect to ``w``."""
    return x * (forward(x, w) - y)  # MISTAKE: no factor 2
