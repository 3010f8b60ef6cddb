# fails: train

def train(model, x, y, epochs, lr=0.01):
    """Full-batch SGD on ``(x, y)``; return the loss (a float) of every epoch, before its step."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x_data), y_data)  # MISTAKE: the module's data, not the x and y passed in
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
