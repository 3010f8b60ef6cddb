# fails: forward_and_loss, gradients_autograd, train_course_facts, gradients_autograd_random, train_random, train_loss_history, train_zeroes_gradients

def loss(x, y, w1, w2, b):
    """Squared error ``(y_hat - y) ** 2`` of one sample."""
    y_pred = forward(x, w1, w2, b)
    return float((y_pred - y) ** 2)
