# fails: train_edge_cases

def train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100):
    """Per-sample SGD with autograd; return ``(w1, w2, b, loss_history)``."""
    w1 = torch.tensor(w1, requires_grad=True)  # MISTAKE: an integer tensor when train(..., w1=1) is called
    w2 = torch.tensor(w2, requires_grad=True)
    b = torch.tensor(b, requires_grad=True)
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            l = loss(x, y, w1, w2, b)
            l.backward()
            with torch.no_grad():
                for p in (w1, w2, b):
                    p -= lr * p.grad
                    p.grad.zero_()
        loss_history.append(l.item())
    return w1.item(), w2.item(), b.item(), loss_history
