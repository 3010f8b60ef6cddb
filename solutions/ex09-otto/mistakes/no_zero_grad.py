# fails: train_matches_reference

def train(model, loader, epochs=10, lr=1e-3):
    """Adam and CrossEntropyLoss over the loader's ``(x, y)`` batches; the mean batch loss per epoch."""
    device = next(model.parameters()).device
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        model.train()
        batch_losses = []
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            # MISTAKE: optimizer.zero_grad() forgotten
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        history.append(sum(batch_losses) / len(batch_losses))
    return history
