# fails: dataset_items
# partial: TitanicDataset

class TitanicDataset(Dataset):
    def __init__(self, csv_path, stats=None):
        frame = pd.read_csv(csv_path)
        frame = frame.dropna(subset=["Age"])  # MISTAKE: drops passengers
        self.stats = training_statistics(frame) if stats is None else stats
        self.passenger_ids = [int(i) for i in frame["PassengerId"]]
        self.features = encode(frame, self.stats)
        if "Survived" in frame.columns:
            labels = frame["Survived"].to_numpy(dtype=np.float32)
            self.labels = torch.tensor(labels).view(-1, 1)
        else:
            self.labels = None
