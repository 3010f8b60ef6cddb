# fails: predict

def predict(model, dataset, batch_size=256):
    """0/1 predictions (int64 tensor, one per item, in order) for a dataset with or without labels."""
    device = next(model.parameters()).device
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    model.eval()
    predictions = []
    with torch.no_grad():
        for batch in loader:
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            probabilities = model(x.to(device)).view(-1)
            predictions.append(probabilities.cpu())  # MISTAKE: probabilities
    return torch.cat(predictions)


def write_submission(model, test_dataset, path):
    """Write Kaggle's submission file: ``PassengerId,Survived`` for every test passenger."""
    survived = (predict(model, test_dataset) >= 0.5).long().numpy()
    submission = pd.DataFrame({"PassengerId": test_dataset.passenger_ids, "Survived": survived})
    submission.to_csv(path, index=False)
