# fails: train

def train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100):
    """Per-sample SGD with autograd; return ``(w1, w2, b, loss_history)``.

    Each epoch visits the samples in order; for each sample: loss, ``backward()``, one
    step ``p -= lr * p.grad`` for each parameter inside ``torch.no_grad()``, then every
    ``.grad`` is zeroed. ``loss_history[e]`` is the loss of the LAST sample of epoch ``e``
    as computed in that sample's forward pass, i.e. before its update (what the course
    prints with ``print("progress:", epoch, l.item())``). The parameters are returned as
    floats and ``loss_history`` is a list of ``epochs`` floats.
    """
    w1 = torch.tensor(float(w1), requires_grad=True)
    w2 = torch.tensor(float(w2), requires_grad=True)
    b = torch.tensor(float(b), requires_grad=True)
    params = [w1, w2, b]
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(x_data, y_data):
            l = loss(x, y, w1, w2, b)
            l.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
            for p in params:
                p.grad.zero_()
        loss_history.append(l.item())
    return w1.item(), w2.item(), b.item(), loss_history
