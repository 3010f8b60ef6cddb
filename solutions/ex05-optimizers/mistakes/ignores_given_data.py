# fails: train

def train(model, optimizer, x, y, epochs):
    """Train ``model`` on ``(x, y)`` for ``epochs`` steps; return the loss of every epoch.

    ``losses[e]`` is the loss (a Python float) of the weights at the start of epoch ``e``,
    before that epoch's step.
    """
    def closure():
        optimizer.zero_grad()
        loss = criterion(model(x_data), y_data)
        loss.backward()
        return loss

    losses = []
    for _ in range(epochs):
        loss = optimizer.step(closure)
        losses.append(loss.item())
    return losses
