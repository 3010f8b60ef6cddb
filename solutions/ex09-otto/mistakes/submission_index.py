# fails: submission

def write_submission(ids, probabilities, path):
    """Write ``id,Class_1,...,Class_9`` with one line per id, in the given order."""
    table = pd.DataFrame(torch.as_tensor(probabilities).cpu().numpy(), columns=CLASSES)
    table.insert(0, "id", torch.as_tensor(ids).cpu().numpy())
    table.to_csv(path)  # MISTAKE: writes the index
