# fails: predict_proba

def predict_proba(model, features, batch_size=4096):
    """Class probabilities, a float32 tensor of shape (n, 9) whose rows sum to 1."""
    device = next(model.parameters()).device
    model.eval()
    parts = []
    with torch.no_grad():
        for start in range(0, len(features), batch_size):
            logits = model(features[start:start + batch_size].to(device))
            parts.append(torch.softmax(logits, dim=0).cpu())  # MISTAKE
    return torch.cat(parts)
