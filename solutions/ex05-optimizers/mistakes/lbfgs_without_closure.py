# fails: train

def train(model, optimizer, x, y, epochs):
    """Train ``model`` on ``(x, y)`` for ``epochs`` steps; return the loss of every epoch.

    ``losses[e]`` is the loss (a Python float) of the weights at the start of epoch ``e``,
    before that epoch's step.
    """
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
