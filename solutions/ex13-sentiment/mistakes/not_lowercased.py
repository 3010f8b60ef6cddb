# fails: vocabulary

def tokenize(phrase):
    """The lower-cased words of a phrase (split on whitespace); an empty or blank phrase has none."""
    return phrase.split()
