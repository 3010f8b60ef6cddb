# fails: read_phrases_keeps_none

def read_phrases(path):
    """Read a phrases TSV (train or test, plain or zipped) into a DataFrame, every phrase kept as written.

    ``keep_default_na=False`` keeps the phrase "None" (and "NA", "null", ...) a string, and
    ``quoting=csv.QUOTE_NONE`` keeps quote characters as they are.
    """
    return pd.read_csv(path, sep="\t")
