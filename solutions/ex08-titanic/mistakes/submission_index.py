# fails: submission

def write_submission(model, test_dataset, path):
    """Write Kaggle's submission file: ``PassengerId,Survived`` for every test passenger."""
    survived = predict(model, test_dataset).numpy()
    submission = pd.DataFrame({"PassengerId": test_dataset.passenger_ids, "Survived": survived})
    submission.to_csv(path)  # MISTAKE: writes the index too
