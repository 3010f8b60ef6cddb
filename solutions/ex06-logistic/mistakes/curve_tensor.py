# fails: probability_curve_input_types

def probability_curve(model, x_values):
    """The model's probability at each point of the 1-D ``x_values``."""
    x = torch.tensor(x_values, dtype=torch.float32).reshape(-1, 1)
    with torch.no_grad():
        return model(x).reshape(-1)  # MISTAKE: a tensor, not a NumPy array
