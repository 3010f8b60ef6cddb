# fails: probability_curve

def probability_curve(model, x_values):
    """The model's probability at each point of the 1-D ``x_values``, as a 1-D NumPy array."""
    device = model.linear.weight.device
    x = torch.as_tensor(np.asarray(x_values, dtype=np.float32), device=device).reshape(-1, 1)
    with torch.no_grad():
        probabilities = model(x)
    return probabilities.cpu().numpy()
