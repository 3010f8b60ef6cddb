# fails: gradients_autograd

def gradients_autograd(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, computed by autograd, as floats."""
    w1 = torch.tensor(float(w1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b = torch.tensor(float(b), requires_grad=True)
    l = loss(x, y, w1, w2, b)
    l.backward()
    return w1.grad, w2.grad, b.grad
