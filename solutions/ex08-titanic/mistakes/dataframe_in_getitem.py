# fails: getitem_is_cheap
# partial: TitanicDataset

class TitanicDataset(Dataset):
    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        self.frame = frame
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        self.features = encode(frame, self.stats)
        if "Survived" in frame.columns:
            labels = frame["Survived"].to_numpy(dtype=np.float32)
            self.labels = torch.tensor(labels).view(-1, 1)
        else:
            self.labels = None

    def __getitem__(self, index):
        # MISTAKE: a DataFrame per item
        row = pd.DataFrame([self.frame.iloc[index]])
        features = encode(row, self.stats)[0]
        if self.labels is None:
            return features
        return features, torch.tensor([float(row["Survived"].iloc[0])])
