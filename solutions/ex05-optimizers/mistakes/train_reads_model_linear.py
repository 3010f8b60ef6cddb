# fails: train_any_model_one_step

def train(model, optimizer, x, y, epochs):
    """Train ``model`` on ``(x, y)`` for ``epochs`` steps; return the loss of every epoch."""
    def closure():
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        return loss

    losses = []
    for _ in range(epochs):
        loss = optimizer.step(closure)
        losses.append(loss.item())
    print("w =", model.linear.weight.item())  # MISTAKE: only a LinearModel has .linear
    return losses
