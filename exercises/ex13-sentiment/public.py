"""Public checks for ex13-sentiment: students run these locally."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

RTOL, ATOL = 1e-4, 1e-5
TRAIN = [(1, 1, "A series of escapades demonstrating the adage", 1), (2, 1, "None", 2), (3, 1, " ", 2),
         (4, 2, "NA", 3), (5, 2, "", 2), (6, 3, "null", 4), (7, 3, "the gander , some of which", 0)]
TEST = [(156061, 8545, "An intermittently pleasing but mostly routine effort ."), (171580, 9213, "None"),
        (157451, 8588, " ")]


def _tsv(path, header, rows):
    path.write_text("\n".join(["\t".join(header)] + ["\t".join(map(str, row)) for row in rows]) + "\n",
                    encoding="utf-8")
    return str(path)


def _column(frame, name, what):
    values = check.call(f'{what}["{name}"].tolist()', lambda: frame[name].tolist())
    check.that(type(values) is list, f'{what}["{name}"] should be a column of the DataFrame; got '
                                      f"{check.describe(values)}")
    return values


def _phrases_match(got, wanted, what):
    for value, text in zip(got, wanted):
        if type(value) is not str:
            check.that(False, f"{what}: the phrase {text!r} was read as {value!r}, not as the string {text!r}: "
                               "pandas turns 'None', 'NA', 'null' and empty fields into NaN unless you pass "
                               "keep_default_na=False")
    check.that(got == wanted, f"{what} should be {wanted}; got {got}")


def _student_model(sub, ref_model, device, *args, **kwargs):
    what = "SentimentRNN(" + ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())]) + ")"
    model = check.call(what, sub.SentimentRNN, *args, **kwargs)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"{what} should build an nn.Module; got {check.describe(model)}")
    layer = check.call(f"{what}.rnn", getattr, model, "rnn")
    check.that("torch.nn.modules.rnn.LSTM" in check.type_names(layer), f"{what}.rnn should be an nn.LSTM; got "
                                                                  f"{check.describe(layer)}")
    check.call(f"{what}.load_state_dict(the reference weights)", model.load_state_dict, ref_model.state_dict())
    check.call(f"{what}.to(device)", model.to, device)
    return model


@pytest.mark.points(1)
def test_read_phrases_keeps_none(sub, tmp_path):
    """read_phrases keeps "None", "NA", "null", "" and " " as the strings they are"""
    path = _tsv(tmp_path / "train.tsv", ["PhraseId", "SentenceId", "Phrase", "Sentiment"], TRAIN)
    frame = check.call("read_phrases(train.tsv)", sub.read_phrases, path)
    _phrases_match(_column(frame, "Phrase", "read_phrases(train.tsv)"), [r[2] for r in TRAIN],
                   "the phrases of a train.tsv")
    check.close(_column(frame, "PhraseId", "read_phrases(train.tsv)"), [r[0] for r in TRAIN], "PhraseId")
    check.close(_column(frame, "Sentiment", "read_phrases(train.tsv)"), [r[3] for r in TRAIN], "Sentiment")
    path = _tsv(tmp_path / "test.tsv", ["PhraseId", "SentenceId", "Phrase"], TEST)
    frame = check.call("read_phrases(test.tsv)", sub.read_phrases, path)
    _phrases_match(_column(frame, "Phrase", "read_phrases(test.tsv)"), [r[2] for r in TEST],
                   "the phrases of a test.tsv (PhraseId 171580 is the phrase None in Kaggle's file)")


@pytest.mark.points(1)
def test_vocab_and_encoding(sub, ref):
    """build_vocab, encode_phrase and make_batch: PAD 0, UNK 1, sorted words, unseen and blank phrases"""
    phrases = ["A series of escapades", "a good series", "None"]
    vocab = check.call("build_vocab(phrases)", sub.build_vocab, phrases)
    wanted = ref.build_vocab(phrases)
    check.that(type(vocab) is dict, f"build_vocab should return a dict; got {check.describe(vocab)}")
    check.that(vocab == wanted, f"build_vocab({phrases}) should be {wanted}; got {vocab}")
    for phrase in ("A great series", "NONE of escapades", " ", ""):
        expected = ref.encode_phrase(phrase, wanted)
        if phrase.split():
            mistakes = {"unknown words are dropped; they must map to 1 (UNK)": [i for i in expected if i != 1]}
        else:
            mistakes = {"a phrase without words must still give one token, [1] (UNK): an empty sequence cannot "
                        "be packed": []}
        check.close(check.call(f"encode_phrase({phrase!r}, vocab)", sub.encode_phrase, phrase, wanted), expected,
                     f"encode_phrase({phrase!r}, vocab)", mistakes=mistakes)
    encoded = [[2, 3], [4], [5, 6, 7]]
    result = check.call(f"make_batch({encoded})", sub.make_batch, encoded)
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"make_batch should return (tokens, lengths); got {check.describe(result)}")
    tokens, lengths = ref.make_batch(encoded)
    check.close(result[1], lengths, f"the lengths of make_batch({encoded})",
                 mistakes={"the batch is sorted by length; keep the rows in the order given": [3, 2, 1]})
    check.close(result[0], tokens, f"the tokens of make_batch({encoded}) (padded with 0, rows in order)")
    check.that(type(result[0]) is torch.Tensor and result[0].dtype == torch.int64,
                f"tokens should be an int64 tensor (nn.Embedding needs integer indices); got "
                f"{check.describe(result[0])}")


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


@pytest.mark.points(1)
def test_grouped_split(sub):
    """grouped_split keeps every sentence on one side, takes the asked fraction, and follows the seed"""
    rng = np.random.default_rng(21)
    ids = sentence_ids_for(rng, 40)
    first = check_grouped_split(check.call("grouped_split(sentence_ids, 0.25, seed=0)", sub.grouped_split, ids, 0.25,
                                      seed=0), ids, 0.25, "grouped_split(sentence_ids, 0.25, seed=0)")
    again = check_grouped_split(check.call("grouped_split(sentence_ids, 0.25, seed=0)", sub.grouped_split, ids, 0.25,
                                      seed=0), ids, 0.25, "grouped_split(sentence_ids, 0.25, seed=0)")
    other = check_grouped_split(check.call("grouped_split(sentence_ids, 0.25, seed=1)", sub.grouped_split, ids, 0.25,
                                      seed=1), ids, 0.25, "grouped_split(sentence_ids, 0.25, seed=1)")
    check.that(first == again, "grouped_split with the same seed should give the same split twice")
    check.that(first != other, "grouped_split with seeds 0 and 1 gives the same split: shuffle the sentence ids "
                                "with np.random.default_rng(seed)")


@pytest.mark.points(1)
def test_model_matches_reference(sub, ref, device):
    """SentimentRNN gives the reference's logits with its weights, rows in the order of the batch"""
    torch.manual_seed(8)
    model_ref = ref.SentimentRNN(30, 8, 6, 5)
    model = _student_model(sub, model_ref, device, 30, 8, 6, 5)
    encoded = [[2, 3, 4], [5], [6, 7, 8, 9, 10, 11], [12, 13]]
    tokens, lengths = ref.make_batch(encoded)
    with torch.no_grad():
        expected = model_ref(tokens, lengths)
        _, (unpacked, _) = model_ref.rnn(model_ref.embedding(tokens))
        reads_padding = model_ref.fc(torch.cat([unpacked[-1], unpacked[-2]], dim=1))
        packed = torch.nn.utils.rnn.pack_padded_sequence(model_ref.embedding(tokens), lengths, batch_first=True,
                                                         enforce_sorted=False)
        _, (hidden, _) = model_ref.rnn(packed)
        swapped = model_ref.fc(torch.cat([hidden[-2], hidden[-1]], dim=1))
    check.close(check.call("model(tokens, lengths)", model, tokens, lengths), expected,
                 "the logits of SentimentRNN(30, 8, 6, 5) on a batch of 4 phrases", rtol=RTOL, atol=ATOL, loose=device != "cpu", mistakes={
                     "the LSTM reads the padding: pack the batch with pack_padded_sequence(embedded, lengths, "
                     "batch_first=True, enforce_sorted=False)": reads_padding,
                     "the directions are concatenated as [h_n[-2], h_n[-1]]; the stub uses "
                     "torch.cat([h_n[-1], h_n[-2]], dim=1)": swapped})


@pytest.mark.points(1)
def test_submission_file(sub, tmp_path):
    """write_submission writes PhraseId,Sentiment with one integer row per phrase, in order"""
    ids, predictions = [156061, 156062, 171580, 157451], [2, 3, 1, 4]
    path = tmp_path / "submission.csv"
    check.call("write_submission(path, phrase_ids, predictions)", sub.write_submission, str(path), ids, predictions)
    check.that(path.is_file(), "write_submission wrote no file at the path it was given")
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    wanted = ["PhraseId,Sentiment"] + [f"{i},{p}" for i, p in zip(ids, predictions)]
    if lines and lines[0].startswith(","):
        check.that(False, "the file starts with an index column; write it with to_csv(path, index=False)")
    if len(lines) > 1 and lines[1:] == [f"{i},{p}.0" for i, p in zip(ids, predictions)]:
        check.that(False, "the sentiments are written as floats (2.0); Kaggle wants integers")
    check.that(lines[:1] == wanted[:1], f"the first line should be the header PhraseId,Sentiment; got "
                                         f"{lines[:1]}")
    check.that(lines == wanted, f"the file should read {wanted}; got {lines[:6]}")
