# fails: dataset_items

def encode(frame, stats):
    """The passengers of ``frame`` as a float32 tensor of shape (rows, 11), without NaN."""
    age = frame["Age"].fillna(stats["age_median"])
    log_fare = np.log1p(frame["Fare"].fillna(stats["fare_median"]))
    embarked = frame["Embarked"].fillna(stats["embarked_mode"])
    columns = [(frame["Pclass"] == k).astype(float) for k in (1, 2, 3)]
    columns += [
        (frame["Sex"] == "female").astype(float),
        (age - stats["age_mean"]) / stats["age_std"],
        frame["SibSp"].astype(float),
        frame["Parch"].astype(float),
        (log_fare - stats["log_fare_mean"]) / stats["log_fare_std"],
    ]
    columns += [(embarked == port).astype(float) for port in PORTS]
    values = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)
    return torch.tensor(values)  # MISTAKE: float64
