# fails: train_epoch

def train_epoch(model, optimizer, names, targets, batch_size=BATCH_SIZE):
    """One pass over the names in the order given, ``batch_size`` names per step.

    ``targets`` are class indices. The loss is nn.CrossEntropyLoss() (the mean over a batch).
    Returns the mean loss per name over the epoch: the sum of ``loss.item() * len(batch)``
    over the batches, divided by ``len(names)``.
    """
    criterion = nn.CrossEntropyLoss()
    total = 0.0
    for start in range(0, len(names), batch_size):
        batch_names = names[start:start + batch_size]
        seq_tensor, lengths, batch_targets, _ = make_tensors(batch_names, targets[start:start + batch_size])
        loss = criterion(model(seq_tensor, lengths), batch_targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(batch_names)
    return total / len(names)
