# fails: classify

def classify(model, names):
    """The logits (len(names), n_countries) of ``names``, row i for names[i]."""
    raise NotImplementedError("classify")
