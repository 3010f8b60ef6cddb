# fails: no_missing_values

class TitanicDataset(Dataset):
    """The passengers of a Titanic CSV file (Kaggle's train.csv or test.csv)."""

    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        # MISTAKE: missing ages stay NaN (nothing is filled in)
        self.features = encode(frame, {**self.stats, "age_median": float("nan")})
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
