# fails: log_loss_exact

EPS = 1e-7  # MISTAKE: the competition clips at 1e-15
