# fails: submission

def write_submission(ids, probabilities, path):
    """Write ``id,Class_1,...,Class_9`` with one line per id, in the given order."""
    table = pd.DataFrame(torch.as_tensor(probabilities).cpu().numpy(), columns=CLASSES)
    table.insert(0, "id", np.arange(1, len(table) + 1))  # MISTAKE: row numbers, not the ids
    table.to_csv(path, index=False)
