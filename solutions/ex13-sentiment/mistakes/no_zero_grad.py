# fails: train_epoch

def train_epoch(model, optimizer, encoded, labels, batch_size=BATCH_SIZE):
    """One pass over the encoded phrases in the order given; returns the mean loss per phrase."""
    criterion = nn.CrossEntropyLoss()
    total = 0.0
    for start in range(0, len(encoded), batch_size):
        tokens, lengths = make_batch(encoded[start:start + batch_size])
        targets = torch.as_tensor(labels[start:start + batch_size], dtype=torch.long)
        loss = criterion(model(tokens, lengths), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(targets)
    return total / len(encoded)
