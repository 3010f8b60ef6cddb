# fails: predict

def predict(model, dataset, batch_size=256):
    """0/1 predictions (int64 tensor, one per item, in order) for a dataset with or without labels."""
    device = next(model.parameters()).device
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)  # MISTAKE
    model.eval()
    predictions = []
    with torch.no_grad():
        for batch in loader:
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            probabilities = model(x.to(device)).view(-1)
            predictions.append((probabilities >= 0.5).long().cpu())
    return torch.cat(predictions)
