# fails: classify

def classify(model, names):
    """The logits (len(names), n_countries) of ``names``, row i for names[i]."""
    seq_tensor, lengths, _, order = make_tensors(names)
    with torch.no_grad():
        sorted_logits = model(seq_tensor, lengths)
    logits = torch.empty_like(sorted_logits)
    logits = sorted_logits[order]
    return logits
