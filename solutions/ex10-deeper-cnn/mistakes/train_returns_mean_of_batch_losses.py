# fails: train_epoch_matches_reference

def train_epoch(model, loader, optimizer, device):
    """Train ``model`` for one pass over ``loader``; return the mean loss per sample.

    The loss is ``CrossEntropyLoss`` on the logits. The model must already be on ``device``;
    every batch is moved there. The returned value is the sum over batches of
    ``loss * batch_size`` divided by the number of samples.
    """
    criterion = nn.CrossEntropyLoss()
    model.train()
    total_loss, total_samples = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item()
        total_samples += 1
    return total_loss / total_samples
