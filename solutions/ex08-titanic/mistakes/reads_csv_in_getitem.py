# fails: getitem_is_cheap
# partial: TitanicDataset

class TitanicDataset(Dataset):
    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        self.csv_path = csv_path
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        self.features = encode(frame, self.stats)
        if "Survived" in frame.columns:
            labels = frame["Survived"].to_numpy(dtype=np.float32)
            self.labels = torch.tensor(labels).view(-1, 1)
        else:
            self.labels = None

    def __getitem__(self, index):
        # MISTAKE: reads the file for every item
        frame = pd.read_csv(self.csv_path)
        features = encode(frame.iloc[[index]], self.stats)[0]
        if self.labels is None:
            return features
        return features, torch.tensor([float(frame["Survived"].iloc[index])])
