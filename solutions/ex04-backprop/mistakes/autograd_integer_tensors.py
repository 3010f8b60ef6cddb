# fails: gradients_autograd_integer_arguments

def gradients_autograd(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, computed by autograd, as floats."""
    w1 = torch.tensor(w1, requires_grad=True)  # MISTAKE: an integer tensor when w1 is an int
    w2 = torch.tensor(w2, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    l = loss(x, y, w1, w2, b)
    l.backward()
    return w1.grad.item(), w2.grad.item(), b.grad.item()
