# fails: encode_phrase

def encode_phrase(phrase, vocab):
    """The indices of the words of ``phrase`` (unknown words -> UNK); a phrase without words gives [UNK]."""
    indices = [vocab.get(word, vocab[UNK]) for word in tokenize(phrase)]
    return indices
