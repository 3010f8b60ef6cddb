# fails: test_encoding_uses_training_statistics

class TitanicDataset(Dataset):
    """The passengers of a Titanic CSV file (Kaggle's train.csv or test.csv)."""

    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        s = self.stats
        age = frame["Age"].fillna(s["age_median"])
        log_fare = np.log1p(frame["Fare"].fillna(s["fare_median"]))
        embarked = frame["Embarked"].fillna(s["embarked_mode"])
        columns = [column for _, column in pd.get_dummies(frame["Pclass"], dtype=float).items()]  # MISTAKE
        columns += [(frame["Sex"] == "female").astype(float), (age - s["age_mean"]) / s["age_std"],
                    frame["SibSp"].astype(float), frame["Parch"].astype(float),
                    (log_fare - s["log_fare_mean"]) / s["log_fare_std"]]
        columns += [column for _, column in pd.get_dummies(embarked, dtype=float).items()]  # MISTAKE
        values = np.stack([np.asarray(c, dtype=np.float64) for c in columns], axis=1)
        self.features = torch.tensor(values, dtype=torch.float32)
        if "Survived" in frame.columns:
            labels = frame["Survived"].to_numpy(dtype=np.float32)
            self.labels = torch.tensor(labels).view(-1, 1)
        else:
            self.labels = None

    def __len__(self):
        return len(self.passenger_ids)

    def __getitem__(self, index):
        if self.labels is None:
            return self.features[index]
        return self.features[index], self.labels[index]
