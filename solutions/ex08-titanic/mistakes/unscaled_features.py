# fails: features_are_learnable

class TitanicDataset(Dataset):
    """The passengers of a Titanic CSV file (Kaggle's train.csv or test.csv)."""

    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        s = self.stats
        embarked = frame["Embarked"].fillna(s["embarked_mode"])
        columns = [(frame["Pclass"] == k).astype(float) for k in (1, 2, 3)]
        columns += [(frame["Sex"] == "female").astype(float),
                    frame["Age"].fillna(s["age_median"]),  # MISTAKE: not scaled
                    frame["SibSp"].astype(float), frame["Parch"].astype(float),
                    frame["Fare"].fillna(s["fare_median"])]  # MISTAKE: the raw fare
        columns += [(embarked == port).astype(float) for port in PORTS]
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
