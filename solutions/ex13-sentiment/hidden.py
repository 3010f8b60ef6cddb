"""Hidden checks for ex13-sentiment: randomized comparisons with the reference and the classic mistakes."""

import zipfile

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

RTOL, ATOL = 1e-4, 1e-5
MISSING_LOOKING = ["None", "NaN", "nan", "NA", "N/A", "n/a", "null", "NULL", "#N/A", "-nan", "<NA>", "", " "]
WORDS = ["the", "film", "is", "a", "story", "of", "love", "and", "war", ",", ".", "it", "'s", "not", "very",
         "good", "bad", "funny", "dull", "moving", "none", "acting", "plot", "script", "fun"]


def _student_model(sub, ref_model, device, *args, **kwargs):
    what = "SentimentRNN(" + ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())]) + ")"
    model = check.call(what, sub.SentimentRNN, *args, **kwargs)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"{what} should build an nn.Module; got {check.describe(model)}")
    check.call(f"{what}.load_state_dict(the reference weights)", model.load_state_dict, ref_model.state_dict())
    check.call(f"{what}.to(device)", model.to, device)
    return model


def _random_phrase(rng, low=1, high=9, words=WORDS):
    words = list(rng.choice(words, size=int(rng.integers(low, high))))
    if rng.random() < 0.3:
        words[0] = words[0].capitalize()
    return " ".join(words)


@pytest.mark.points(1)
def test_read_phrases_edge_cases(sub, rng, tmp_path):
    """read_phrases reads a zipped train.tsv.zip and keeps every phrase that looks missing as its string"""
    phrases = [_random_phrase(rng) for _ in range(6)] + MISSING_LOOKING
    order = rng.permutation(len(phrases))
    rows = [(1000 + k, 50 + k // 3, phrases[i], int(rng.integers(0, 5))) for k, i in enumerate(order)]
    text = "PhraseId\tSentenceId\tPhrase\tSentiment\n" + "".join(f"{a}\t{b}\t{c}\t{d}\n" for a, b, c, d in rows)
    path = tmp_path / "train.tsv.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("train.tsv", text)
    frame = check.call("read_phrases(train.tsv.zip)", sub.read_phrases, str(path))
    got = check.call('read_phrases(train.tsv.zip)["Phrase"].tolist()', lambda: frame["Phrase"].tolist())
    wanted = [r[2] for r in rows]
    check.that(type(got) is list and len(got) == len(wanted),
                f"read_phrases should give {len(wanted)} phrases; got {check.describe(got)}")
    for value, phrase in zip(got, wanted):
        check.that(type(value) is str and value == phrase,
                    f"the phrase {phrase!r} was read as {value!r}: keep every phrase as the string in the file "
                    "(keep_default_na=False)")
    for column, index in (("PhraseId", 0), ("SentenceId", 1), ("Sentiment", 3)):
        values = check.call(f'read_phrases(train.tsv.zip)["{column}"].tolist()', lambda c=column: frame[c].tolist())
        check.close(values, [r[index] for r in rows], f"the column {column}")


@pytest.mark.points(1)
def test_vocab_random(sub, ref, rng):
    """the vocabulary and encodings match the reference: case, unseen words, empty and blank phrases"""
    known, unseen = WORDS[:18], ["masterpiece", "mess", "Gander", "escapades"]
    train = [_random_phrase(rng, words=known) for _ in range(12)]
    vocab = check.call("build_vocab(training phrases)", sub.build_vocab, train)
    wanted = ref.build_vocab(train)
    check.that(type(vocab) is dict, f"build_vocab should return a dict; got {check.describe(vocab)}")
    case_kept = {"<pad>": 0, "<unk>": 1}
    for word in sorted({w for p in train for w in p.split()}):
        case_kept[word] = len(case_kept)
    check.that(vocab != case_kept or case_kept == wanted,
                "build_vocab keeps upper-case words apart from lower-case ones; tokenize with phrase.lower().split()")
    check.that(vocab == wanted, f"build_vocab of {len(train)} phrases should have {len(wanted)} entries "
                                 f"(PAD 0, UNK 1, the sorted words from 2); got {len(vocab)} entries"
                                 + ("" if len(vocab) != len(wanted) else ", numbered differently"))
    tests = [_random_phrase(rng, 2, 7, known + unseen) for _ in range(6)] + ["", " ", "  \t ", unseen[0]]
    for phrase in tests:
        expected = ref.encode_phrase(phrase, wanted)
        if phrase.split():
            mistakes = {"unknown words are dropped; they must map to 1 (UNK)": [i for i in expected if i != 1]}
        else:
            mistakes = {"a phrase without words must still give [1] (UNK): an empty sequence cannot be packed": []}
        check.close(check.call(f"encode_phrase({phrase!r}, vocab)", sub.encode_phrase, phrase, wanted), expected,
                     f"encode_phrase({phrase!r}, vocab)", mistakes=mistakes)


@pytest.mark.points(1)
def test_grouped_split_random(sub, rng):
    """grouped_split on shuffled rows of scattered sentence ids: no sentence on both sides, the asked fraction"""
    sentences = rng.choice(np.arange(8000, 9000), size=37, replace=False)
    ids = [int(s) for s in sentences for _ in range(int(rng.integers(1, 12)))]
    ids = [ids[i] for i in rng.permutation(len(ids))]
    seed = int(rng.integers(100))
    what = f"grouped_split(sentence_ids, valid_fraction=0.3, seed={seed})"
    result = check.call(what, sub.grouped_split, ids, valid_fraction=0.3, seed=seed)
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"{what} should return (train_rows, valid_rows); got {check.describe(result)}")
    parts = [[int(v) for v in check.as_array(part, what)] for part in result]
    train_rows, valid_rows = parts
    check.that(sorted(train_rows + valid_rows) == list(range(len(ids))),
                f"{what}: the two lists should hold every row position 0..{len(ids) - 1} exactly once")
    ids_array = np.asarray(ids)
    both = set(ids_array[train_rows].tolist()) & set(ids_array[valid_rows].tolist())
    check.that(not both, f"{what}: {len(both)} sentences have rows on both sides; phrases of one sentence "
                          "overlap, so every row of a sentence must go to the same side")
    n_valid = len(set(ids_array[valid_rows].tolist()))
    check.that(n_valid == round(0.3 * 37), f"{what}: {n_valid} of the 37 sentences went to validation; "
                                            f"round(0.3 * 37) = {round(0.3 * 37)} should")
    check.that(train_rows == sorted(train_rows) and valid_rows == sorted(valid_rows),
                f"{what}: train_rows and valid_rows should be sorted")


def _variant_logits(model, tokens, lengths, *, pack=True, swap=False):
    with torch.no_grad():
        embedded = model.embedding(tokens)
        if pack:
            embedded = torch.nn.utils.rnn.pack_padded_sequence(embedded, lengths, batch_first=True,
                                                               enforce_sorted=False)
        _, (hidden, _) = model.rnn(embedded)
        if model.n_directions == 2:
            features = torch.cat([hidden[-2], hidden[-1]] if swap else [hidden[-1], hidden[-2]], dim=1)
        else:
            features = hidden[-1]
        return model.fc(features)


@pytest.mark.points(1)
def test_model_and_predict_random(sub, ref, rng, device):
    """SentimentRNN and predict match the reference on random sizes, blank phrases and unseen words"""
    train = [_random_phrase(rng, words=WORDS[:18]) for _ in range(10)]
    vocab = ref.build_vocab(train)
    phrases = [_random_phrase(rng, 1, 12) for _ in range(7)] + [" ", "", "masterpiece"]
    for bidirectional in (True, False):
        emb, hidden = int(rng.integers(4, 12)), int(rng.integers(4, 12))
        torch.manual_seed(int(rng.integers(1 << 30)))
        model_ref = ref.SentimentRNN(len(vocab), emb, hidden, 5, bidirectional=bidirectional)
        model = _student_model(sub, model_ref, device, len(vocab), emb, hidden, 5, bidirectional=bidirectional)
        encoded = [ref.encode_phrase(p, vocab) for p in phrases]
        tokens, lengths = ref.make_batch(encoded)
        mistakes = {"the LSTM reads the padding: pack the batch (enforce_sorted=False)":
                    _variant_logits(model_ref, tokens, lengths, pack=False)}
        if bidirectional:
            mistakes["the directions are concatenated as [h_n[-2], h_n[-1]]; the stub uses "
                     "torch.cat([h_n[-1], h_n[-2]], dim=1)"] = _variant_logits(model_ref, tokens, lengths, swap=True)
        what = f"the logits of SentimentRNN({len(vocab)}, {emb}, {hidden}, 5, bidirectional={bidirectional})"
        with torch.no_grad():
            expected = model_ref(tokens, lengths)
        check.close(check.call("model(tokens, lengths)", model, tokens, lengths), expected, what, rtol=RTOL, atol=ATOL, loose=device != "cpu",
                     mistakes=mistakes)
        own = [check.call(f"encode_phrase({p!r}, vocab)", sub.encode_phrase, p, vocab) for p in phrases]
        got = check.call("predict(model, encoded phrases, batch_size=4)", sub.predict, model, own, batch_size=4)
        wanted = ref.predict(model_ref, encoded, batch_size=4)
        check.that(type(got) is list and all(type(v) is int for v in got),
                    f"predict should return a list of ints; got {check.describe(got)}")
        check.that(got == wanted, f"predict on {len(phrases)} phrases (blank ones and unseen words included) "
                                   f"should give {wanted}; got {got}")


def _train_variant(ref, state, vocab_size, encoded, labels, batch_size, lr, *, zero_grad=True, average="phrase",
                   keep=None):
    model = ref.SentimentRNN(vocab_size, 8, 8, 5)
    model.load_state_dict(state)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss()
    losses, sizes = [], []
    for start in range(0, len(encoded), batch_size):
        tokens, lengths = ref.make_batch(encoded[start:start + batch_size])
        loss = criterion(model(tokens, lengths), torch.tensor(labels[start:start + batch_size]))
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        sizes.append(len(lengths))
    if keep is not None:
        keep.append(model)
    if average == "batch":
        return sum(losses) / len(losses)
    if average == "last":
        return losses[-1]
    return sum(v * n for v, n in zip(losses, sizes)) / len(encoded)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_train_epoch_and_accuracy(sub, ref, rng, worker, device):
    """train_epoch gives the reference's loss and weights from the same start; accuracy agrees"""
    phrases = [_random_phrase(rng, 1, 10) for _ in range(35)]  # batches of 16, 16 and 3
    vocab = ref.build_vocab(phrases)
    encoded = [ref.encode_phrase(p, vocab) for p in phrases]
    labels = [int(v) for v in rng.integers(0, 5, size=len(phrases))]
    torch.manual_seed(int(rng.integers(1 << 30)))
    start = ref.SentimentRNN(len(vocab), 8, 8, 5)
    state = {k: v.clone() for k, v in start.state_dict().items()}
    model = _student_model(sub, start, device, len(vocab), 8, 8, 5)
    optimizer = worker.import_module("torch.optim").Adam(model.parameters(), lr=0.01)
    call = "train_epoch(model, Adam(lr=0.01), 35 phrases, labels, batch_size=16)"
    loss = check.call(call, sub.train_epoch, model, optimizer, encoded, labels, batch_size=16)
    trained = []
    expected = _train_variant(ref, state, len(vocab), encoded, labels, 16, 0.01, keep=trained)
    check.close(loss, expected, f"the loss {call} returns", rtol=1e-4, atol=1e-6, loose=device != "cpu", mistakes={
        "the gradients are never zeroed: call optimizer.zero_grad() before loss.backward()":
            _train_variant(ref, state, len(vocab), encoded, labels, 16, 0.01, zero_grad=False),
        "the loss is the mean of the batch losses; the stub asks for the mean per phrase (each batch's loss times "
        "its size, summed, divided by the number of phrases)":
            _train_variant(ref, state, len(vocab), encoded, labels, 16, 0.01, average="batch"),
        "the loss returned is the last batch's; return the mean per phrase over the epoch":
            _train_variant(ref, state, len(vocab), encoded, labels, 16, 0.01, average="last"),
    })
    probe = encoded[:8]
    tokens, lengths = ref.make_batch(probe)
    with torch.no_grad():
        after = trained[0](tokens, lengths)
    check.close(check.call("model(tokens, lengths) after train_epoch", model, tokens, lengths), after,
                 "the logits after one epoch (the weights should match the reference's after the same epoch)",
                 rtol=1e-3, atol=1e-4, loose=device != "cpu")
    mirror = ref.SentimentRNN(len(vocab), 8, 8, 5)  # the student's trained weights, here
    mirror.load_state_dict(check.call("model.state_dict()", model.state_dict))
    held = [ref.encode_phrase(_random_phrase(rng, 1, 8), vocab) for _ in range(30)]
    held_labels = ref.predict(mirror, held)
    held_labels[:10] = [(v + 1) % 5 for v in held_labels[:10]]
    acc = check.call("accuracy(model, 30 phrases, labels)", sub.accuracy, model, held, held_labels)
    wanted = ref.accuracy(mirror, held, held_labels)
    check.close(acc, wanted, "accuracy(model, 30 phrases, labels)", rtol=1e-6, atol=1e-6,
                 mistakes={"accuracy is a percentage; return a fraction between 0 and 1": 100 * wanted})
