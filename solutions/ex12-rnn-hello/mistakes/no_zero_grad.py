# fails: train

def train(model, inputs, labels, lr, epochs):
    """Train with Adam(lr) and CrossEntropyLoss on ``model(inputs)`` against ``labels``.

    Returns the loss history: ``losses[e]`` is the loss of epoch ``e`` (a float), computed
    before that epoch's optimizer step.
    """
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    labels = torch.as_tensor(labels, dtype=torch.long)
    losses = []
    for _ in range(epochs):
        loss = criterion(model(inputs), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
