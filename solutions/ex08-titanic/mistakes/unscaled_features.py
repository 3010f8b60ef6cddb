# fails: train_reduces_loss

def encode(frame, stats):
    """The passengers of ``frame`` as a float32 tensor of shape (rows, 11), without NaN."""
    age = frame["Age"].fillna(stats["age_median"])
    log_fare = np.log1p(frame["Fare"].fillna(stats["fare_median"]))
    embarked = frame["Embarked"].fillna(stats["embarked_mode"])
    columns = [(frame["Pclass"] == k).astype(float) for k in (1, 2, 3)]
    columns += [
        (frame["Sex"] == "female").astype(float),
        age,  # MISTAKE: not scaled
        frame["SibSp"].astype(float),
        frame["Parch"].astype(float),
        frame["Fare"].fillna(stats["fare_median"]),  # MISTAKE: raw fare
    ]
    columns += [(embarked == port).astype(float) for port in PORTS]
    values = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)
    return torch.tensor(values, dtype=torch.float32)
