# fails: log_loss

def log_loss(labels, probabilities):
    """The competition's multi-class log loss (natural log), as a float."""
    labels = torch.as_tensor(labels).cpu().numpy()
    p = torch.as_tensor(probabilities).detach().cpu().double().numpy()
    p = np.clip(p, 1e-7, 1 - 1e-7)  # MISTAKE: the competition clips at 1e-15
    p = p / p.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
