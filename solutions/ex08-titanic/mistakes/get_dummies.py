# fails: test_encoding_uses_training_statistics

def encode(frame, stats):
    """The passengers of ``frame`` as a float32 tensor of shape (rows, 11), without NaN."""
    age = frame["Age"].fillna(stats["age_median"])
    log_fare = np.log1p(frame["Fare"].fillna(stats["fare_median"]))
    embarked = frame["Embarked"].fillna(stats["embarked_mode"])
    columns = [column for _, column in pd.get_dummies(frame["Pclass"], dtype=float).items()]  # MISTAKE
    columns += [
        (frame["Sex"] == "female").astype(float),
        (age - stats["age_mean"]) / stats["age_std"],
        frame["SibSp"].astype(float),
        frame["Parch"].astype(float),
        (log_fare - stats["log_fare_mean"]) / stats["log_fare_std"],
    ]
    columns += [column for _, column in pd.get_dummies(embarked, dtype=float).items()]  # MISTAKE
    values = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)
    return torch.tensor(values, dtype=torch.float32)
