# fails: train_matches_reference

def train(model, loader, epochs=100, lr=0.1):
    """Mini-batch SGD with BCELoss; returns the mean batch loss of every epoch."""
    device = next(model.parameters()).device
    criterion = nn.BCELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            # MISTAKE: optimizer.step() forgotten
            batch_losses.append(loss.item())
        history.append(sum(batch_losses) / len(batch_losses))
    return history
