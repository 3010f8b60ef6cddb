# fails: submission

def write_submission(model, test_dataset, path):
    """Write Kaggle's submission file: ``PassengerId,Survived`` for every test passenger."""
    with torch.no_grad():  # MISTAKE: probabilities, not 0/1
        survived = model(test_dataset.features).view(-1).numpy()
    submission = pd.DataFrame({"PassengerId": test_dataset.passenger_ids, "Survived": survived})
    submission.to_csv(path, index=False)
