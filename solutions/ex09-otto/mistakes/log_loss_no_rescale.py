# fails: log_loss

def log_loss(labels, probabilities):
    """The competition's multi-class log loss (natural log), as a float."""
    labels = torch.as_tensor(labels).cpu().numpy()
    p = torch.as_tensor(probabilities).detach().cpu().double().numpy()
    p = np.clip(p, EPS, 1 - EPS)
    # MISTAKE: rows not rescaled
    return float(-np.mean(np.log(p[np.arange(len(labels)), labels])))
