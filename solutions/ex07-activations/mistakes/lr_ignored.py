# fails: train_random

def train(model, x, y, epochs, lr=0.1):
    """Full-batch SGD on ``(x, y)`` with ``criterion``; return the loss of every epoch."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)  # MISTAKE: the lr argument is ignored
    losses = []
    for _ in range(epochs):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
