# fails: train

def train(model, x, y, epochs, lr=0.01):
    """Full-batch SGD on ``(x, y)`` with ``criterion``; return the loss of every epoch.

    ``losses[e]`` is the loss (a Python float) of the weights at the start of epoch ``e``,
    computed before that epoch's step.
    """
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(criterion(model(x), y).item())
    return losses
