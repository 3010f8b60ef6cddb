# fails: submission_file

def write_submission(path, phrase_ids, predictions):
    """Write Kaggle's submission CSV: the header PhraseId,Sentiment, then one integer row per phrase, in order."""
    frame = pd.DataFrame({"PhraseId": [int(i) for i in phrase_ids], "Sentiment": [int(p) for p in predictions]})
    frame.to_csv(path)
