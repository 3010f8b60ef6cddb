# fails: dataset_items

class TitanicDataset(Dataset):
    """The passengers of a Titanic CSV file (Kaggle's train.csv or test.csv).

    ``stats=None`` computes the filling and scaling statistics from this file (use it for
    train.csv); pass ``stats=train_dataset.stats`` for test.csv.
    """

    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        self.features = encode(frame, self.stats)
        if "Survived" in frame.columns:
            labels = frame["Survived"].to_numpy(dtype=np.float32)
            self.labels = torch.tensor(labels)  # MISTAKE: shape (n,)
        else:
            self.labels = None

    def __len__(self):
        return len(self.passenger_ids)

    def __getitem__(self, index):
        if self.labels is None:
            return self.features[index]
        return self.features[index], self.labels[index]
