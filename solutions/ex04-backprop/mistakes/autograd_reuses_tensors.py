# fails: gradients_autograd

# The parameters, made once: their .grad is never zeroed between calls.
W1 = torch.tensor(1.0, requires_grad=True)
W2 = torch.tensor(1.0, requires_grad=True)
B = torch.tensor(1.0, requires_grad=True)


def gradients_autograd(x, y, w1, w2, b):
    """Return ``(dloss/dw1, dloss/dw2, dloss/db)`` at one sample, computed by autograd, as floats."""
    with torch.no_grad():
        W1.fill_(float(w1))
        W2.fill_(float(w2))
        B.fill_(float(b))
    l = loss(x, y, W1, W2, B)
    l.backward()
    return W1.grad.item(), W2.grad.item(), B.grad.item()
