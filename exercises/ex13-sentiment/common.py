"""Helpers shared by the public and hidden checks of ex13-sentiment.

Each check judges one part (tokenize and build_vocab share one, predict and accuracy
another). The model gets the reference's weights; ``train_epoch``, ``predict`` and
``accuracy`` get a stand-in model built in the worker (the mean of word embeddings, then a
linear layer), and the helpers the stub makes them call (``make_batch``, ``tokenize``) are
answered, while they run, by recorders holding the reference's answers for the arguments the
part should pass (other arguments go to the student's own helper).
"""


import numpy as np
import torch

from pttutor.grader import check

shared = check.common(__file__, "ex11-resnet-variants")
ByArgument, calls_recorded = shared.ByArgument, shared.calls_recorded

RTOL, ATOL = 1e-4, 1e-5
WORDS = ["the", "film", "is", "a", "story", "of", "love", "and", "war", ",", ".", "it", "'s", "not", "very",
         "good", "bad", "funny", "dull", "moving", "none", "acting", "plot", "script", "fun"]
HEADER = ["PhraseId", "SentenceId", "Phrase", "Sentiment"]


def random_phrase(rng, low=1, high=9, words=WORDS):
    words = list(rng.choice(words, size=int(rng.integers(low, high))))
    if rng.random() < 0.3:
        words[0] = words[0].capitalize()
    return " ".join(words)


def write_tsv(path, header, rows):
    path.write_text("\n".join(["\t".join(header)] + ["\t".join(map(str, row)) for row in rows]) + "\n",
                    encoding="utf-8")
    return str(path)


def column(frame, name, what):
    values = check.call(f'{what}["{name}"].tolist()', lambda: frame[name].tolist())
    check.that(type(values) is list, f'{what}["{name}"] should be a column of the DataFrame; got '
                                     f"{check.describe(values)}")
    return values


def student_model(sub, state, device, *args, **kwargs):
    """The student's SentimentRNN(*args, **kwargs) holding the weights ``state``."""
    what = "SentimentRNN(" + ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())]) + ")"
    model = check.call(what, sub.SentimentRNN, *args, **kwargs)
    shared.load_layers(model, state, what, "embedding (padding_idx=0), rnn (an nn.LSTM, batch_first, bidirectional "
                                           "as asked) and fc (hidden_size * n_directions inputs)")
    check.call(f"{what}.to(device)", model.to, device)
    return model, what


def model_variants(state, tokens, lengths, hidden, bidirectional):
    """What the usual mistakes of the model's forward give, computed here from the weights ``state``."""
    embedding = torch.nn.Embedding.from_pretrained(state["embedding.weight"], padding_idx=0)
    lstm = torch.nn.LSTM(state["embedding.weight"].shape[1], hidden, batch_first=True, bidirectional=bidirectional)
    lstm.load_state_dict({k.removeprefix("rnn."): v for k, v in state.items() if k.startswith("rnn.")})

    def logits(h):
        features = torch.cat([h[-1], h[-2]], dim=1) if bidirectional else h[-1]
        return torch.nn.functional.linear(features, state["fc.weight"], state["fc.bias"])

    with torch.no_grad():
        padded = lstm(embedding(tokens))[1][0]
        packed = lstm(torch.nn.utils.rnn.pack_padded_sequence(embedding(tokens), lengths, batch_first=True,
                                                              enforce_sorted=False))[1][0]
    found = {"the LSTM reads the padding: pack the batch with pack_padded_sequence(embedded, lengths, "
             "batch_first=True, enforce_sorted=False)": logits(padded)}
    if bidirectional:
        found["the directions are concatenated as [h_n[-2], h_n[-1]]; the stub uses torch.cat([h_n[-1], h_n[-2]], "
              "dim=1)"] = torch.nn.functional.linear(torch.cat([packed[-2], packed[-1]], dim=1), state["fc.weight"],
                                                     state["fc.bias"])
    return found


def encoded_phrases(rng, ref, count, vocab_words=18):
    """A vocabulary from random training phrases and ``count`` encoded phrases (blank ones and unseen words too)."""
    vocab = ref.build_vocab([random_phrase(rng, words=WORDS[:vocab_words]) for _ in range(10)])
    phrases = [random_phrase(rng, 1, 10) for _ in range(count - 2)] + [" ", "masterpiece"]
    return vocab, [ref.encode_phrase(p, vocab) for p in phrases]


def batches_answered(ref, encoded, batch_size):
    """The reference's make_batch for each batch of ``encoded``, to answer the student's calls."""
    return ByArgument((encoded[i:i + batch_size], ref.make_batch(encoded[i:i + batch_size]))
                      for i in range(0, len(encoded), batch_size))


def sentence_ids_for(rng, n_sentences, first=1):
    """Row sentence ids like Kaggle's: each sentence has 1 to 8 phrases, in a block."""
    return [first + s for s in range(n_sentences) for _ in range(int(rng.integers(1, 9)))]


def check_grouped_split(result, sentence_ids, valid_fraction, what):
    """The invariants every grouped split has; returns the validation rows."""
    check.that(type(result) in (tuple, list) and len(result) == 2,
               f"{what} should return (train_rows, valid_rows); got {check.describe(result)}")
    rows = []
    for name, part in zip(("train_rows", "valid_rows"), result):
        values = check.as_array(part, f"{name} of {what}")
        check.that(values.ndim == 1 and np.all(values == np.round(values)),
                   f"{name} of {what} should be a list of row positions; got {check.describe(part)}")
        rows.append([int(v) for v in values])
    train_rows, valid_rows = rows
    n = len(sentence_ids)
    check.that(sorted(train_rows + valid_rows) == list(range(n)),
               f"{what}: train_rows and valid_rows together should hold every row 0..{n - 1} exactly once")
    check.that(train_rows == sorted(train_rows) and valid_rows == sorted(valid_rows),
               f"{what}: train_rows and valid_rows should be sorted lists")
    ids = np.asarray(sentence_ids)
    both = sorted(set(ids[train_rows].tolist()) & set(ids[valid_rows].tolist()))
    check.that(not both, f"{what}: sentence {both[0] if both else ''} has rows on both sides ({len(both)} such "
                         "sentences): phrases of one sentence overlap, so split the sentence ids, not the rows")
    sentences = np.unique(ids)
    n_valid = len(set(ids[valid_rows].tolist()))
    wanted = int(round(valid_fraction * len(sentences)))
    check.that(n_valid == wanted, f"{what}: {n_valid} of the {len(sentences)} sentences went to validation; "
                                  f"round({valid_fraction} * {len(sentences)}) = {wanted} should")
    return valid_rows
