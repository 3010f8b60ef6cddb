# fails: train_epoch_matches_reference

def train_epoch(model, loader, optimizer, device):
    """Train ``model`` for one pass over ``loader``."""
    criterion = nn.CrossEntropyLoss()
    model.train()
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
    # MISTAKE: the mean loss is never returned
