"""Public checks for ex13-sentiment: students run these locally.

Each check judges one part (tokenize and build_vocab share one, predict and accuracy
another); see common.py for how the parts that call other parts are judged on their own.
"""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

TRAIN = [(1, 1, "A series of escapades demonstrating the adage", 1), (2, 1, "None", 2), (3, 1, " ", 2),
         (4, 2, "NA", 3), (5, 2, "", 2), (6, 3, "null", 4), (7, 3, "the gander , some of which", 0)]
TEST = [(156061, 8545, "An intermittently pleasing but mostly routine effort ."), (171580, 9213, "None"),
        (157451, 8588, " ")]


def _phrases_match(got, wanted, what):
    for value, text in zip(got, wanted):
        check.that(type(value) is str, f"{what}: the phrase {text!r} was read as {value!r}, not as the string "
                                       f"{text!r}: pandas turns 'None', 'NA', 'null' and empty fields into NaN unless "
                                       "you pass keep_default_na=False")
    check.that(got == wanted, f"{what} should be {wanted}; got {got}")


@pytest.mark.points(1)
@pytest.mark.judges("read_phrases")
def test_read_phrases_keeps_none(sub, tmp_path):
    """read_phrases keeps "None", "NA", "null", "" and " " as the strings they are"""
    path = helpers.write_tsv(tmp_path / "train.tsv", helpers.HEADER, TRAIN)
    frame = check.call("read_phrases(train.tsv)", sub.read_phrases, path)
    _phrases_match(helpers.column(frame, "Phrase", "read_phrases(train.tsv)"), [r[2] for r in TRAIN],
                   "the phrases of a train.tsv")
    for name, index in (("PhraseId", 0), ("SentenceId", 1), ("Sentiment", 3)):
        check.close(helpers.column(frame, name, "read_phrases(train.tsv)"), [r[index] for r in TRAIN], name)
    path = helpers.write_tsv(tmp_path / "test.tsv", helpers.HEADER[:3], TEST)
    frame = check.call("read_phrases(test.tsv)", sub.read_phrases, path)
    _phrases_match(helpers.column(frame, "Phrase", "read_phrases(test.tsv)"), [r[2] for r in TEST],
                   "the phrases of a test.tsv (PhraseId 171580 is the phrase None in Kaggle's file)")


@pytest.mark.points(1)
@pytest.mark.judges("tokenize", "build_vocab")
def test_vocabulary(sub, ref, rng):
    """tokenize lower-cases and splits on whitespace; build_vocab is PAD 0, UNK 1, then the sorted words"""
    for phrase in ("A series of escapades", "NONE  of\tthe , adage .", " ", ""):
        check.that(check.call(f"tokenize({phrase!r})", sub.tokenize, phrase) == ref.tokenize(phrase),
                   f"tokenize({phrase!r}) should be {ref.tokenize(phrase)}, the words of phrase.lower().split()")
    for train in (["A series of escapades", "a good series", "None"],
                  [helpers.random_phrase(rng, words=helpers.WORDS[:18]) for _ in range(12)]):
        vocab = check.call("build_vocab(phrases)", sub.build_vocab, train)
        wanted = ref.build_vocab(train)
        check.that(type(vocab) is dict, f"build_vocab should return a dict; got {check.describe(vocab)}")
        case_kept = {"<pad>": 0, "<unk>": 1}
        for word in sorted({w for p in train for w in p.split()}):
            case_kept[word] = len(case_kept)
        check.that(vocab != case_kept or case_kept == wanted,
                   "build_vocab keeps upper-case words apart from lower-case ones; tokenize with "
                   "phrase.lower().split()")
        check.that(vocab == wanted, f"build_vocab of {len(train)} phrases should have {len(wanted)} entries "
                                    f"(PAD 0, UNK 1, the sorted words from 2); got {len(vocab)} entries"
                                    + ("" if len(vocab) != len(wanted) else ", numbered differently"))


@pytest.mark.points(1)
@pytest.mark.judges("encode_phrase")
def test_encode_phrase(sub, ref, rng, worker):
    """encode_phrase maps words to their index, unseen words to 1 (UNK), and a phrase without words to [1]"""
    known, unseen = helpers.WORDS[:18], ["masterpiece", "mess", "Gander", "escapades"]
    vocab = ref.build_vocab([helpers.random_phrase(rng, words=known) for _ in range(12)])
    phrases = ["A great series", "NONE of escapades", " ", "", "  \t ", unseen[0],
               *[helpers.random_phrase(rng, 2, 7, known + unseen) for _ in range(5)]]
    words = helpers.ByArgument((p, ref.tokenize(p)) for p in phrases)  # tokenize answered: it is not judged here
    for phrase in phrases:
        expected = ref.encode_phrase(phrase, vocab)
        if phrase.split():
            mistakes = {"unknown words are dropped; they must map to 1 (UNK)": [i for i in expected if i != 1]}
        else:
            mistakes = {"a phrase without words must still give one token, [1] (UNK): an empty sequence cannot "
                        "be packed": []}
        with helpers.calls_recorded(worker, sub, "tokenize", returns={"tokenize": words}):
            got = check.call(f"encode_phrase({phrase!r}, vocab)", sub.encode_phrase, phrase, vocab)
        check.close(got, expected, f"encode_phrase({phrase!r}, vocab)", mistakes=mistakes)


@pytest.mark.points(1)
@pytest.mark.judges("make_batch")
def test_make_batch(sub, ref, rng):
    """make_batch pads with 0 and keeps the rows in the order given; tokens and lengths are int64"""
    for encoded in ([[2, 3], [4], [5, 6, 7]],
                    [[int(v) for v in rng.integers(1, 30, size=int(rng.integers(1, 9)))] for _ in range(6)]):
        result = check.call(f"make_batch({encoded})", sub.make_batch, encoded)
        check.that(type(result) in (tuple, list) and len(result) == 2,
                   f"make_batch should return (tokens, lengths); got {check.describe(result)}")
        tokens, lengths = ref.make_batch(encoded)
        check.close(result[1], lengths, f"the lengths of make_batch({encoded})",
                    mistakes={"the batch is sorted by length; keep the rows in the order given":
                              sorted(lengths.tolist(), reverse=True)})
        check.close(result[0], tokens, f"the tokens of make_batch({encoded}) (padded with 0, rows in order)")
        for name, value in zip(("tokens", "lengths"), result):
            check.that(type(value) is torch.Tensor and value.dtype == torch.int64,
                       f"{name} should be an int64 tensor (nn.Embedding needs integer indices); got "
                       f"{check.describe(value)}")


@pytest.mark.points(1)
@pytest.mark.judges("grouped_split")
def test_grouped_split(sub, rng):
    """grouped_split keeps every sentence on one side, takes the asked fraction, and follows the seed"""
    ids = helpers.sentence_ids_for(np.random.default_rng(21), 40)
    runs = []
    for seed in (0, 0, 1):
        what = f"grouped_split(sentence_ids, 0.25, seed={seed})"
        runs.append(helpers.check_grouped_split(check.call(what, sub.grouped_split, ids, 0.25, seed=seed), ids, 0.25,
                                                what))
    check.that(runs[0] == runs[1], "grouped_split with the same seed should give the same split twice")
    check.that(runs[0] != runs[2], "grouped_split with seeds 0 and 1 gives the same split: shuffle the sentence ids "
                                   "with np.random.default_rng(seed)")
    sentences = rng.choice(np.arange(8000, 9000), size=37, replace=False)
    scattered = [int(s) for s in sentences for _ in range(int(rng.integers(1, 12)))]
    scattered = [scattered[i] for i in rng.permutation(len(scattered))]
    what = "grouped_split(shuffled sentence ids, valid_fraction=0.3, seed=5)"
    helpers.check_grouped_split(check.call(what, sub.grouped_split, scattered, valid_fraction=0.3, seed=5), scattered,
                                0.3, what)


@pytest.mark.points(1)
@pytest.mark.judges("SentimentRNN")
def test_model(sub, ref, rng, device):
    """SentimentRNN gives the reference's logits with its weights, on a batch in any order of lengths"""
    tol = {"rtol": helpers.RTOL, "atol": helpers.ATOL, "loose": device != "cpu"}
    vocab, encoded = helpers.encoded_phrases(rng, ref, 8)
    tokens, lengths = ref.make_batch(encoded)
    for bidirectional in (True, False):
        emb, hidden = int(rng.integers(4, 12)), int(rng.integers(4, 12))
        torch.manual_seed(int(rng.integers(1 << 30)))
        model_ref = ref.SentimentRNN(len(vocab), emb, hidden, 5, bidirectional=bidirectional)
        state = model_ref.state_dict()
        model, what = helpers.student_model(sub, state, device, len(vocab), emb, hidden, 5,
                                            bidirectional=bidirectional)
        with torch.no_grad():
            expected = model_ref(tokens, lengths)
        check.close(check.call(f"{what}(tokens, lengths)", model, tokens, lengths), expected,
                    f"the logits of {what} on {len(encoded)} phrases of lengths {lengths.tolist()}", **tol,
                    mistakes=helpers.model_variants(state, tokens, lengths, hidden, bidirectional))


@pytest.mark.points(1)
@pytest.mark.timeout(60)
@pytest.mark.judges("train_epoch")
def test_train_epoch(sub, ref, rng, worker, device):
    """train_epoch takes batch_size phrases at a time, in order, and returns the mean loss per phrase"""
    vocab, encoded = helpers.encoded_phrases(rng, ref, 35)  # batches of 16, 16 and 3
    labels = [int(v) for v in rng.integers(0, 5, size=len(encoded))]
    local, remote = helpers.shared.bag_of_codes(worker, len(vocab), 8, 5, rng)
    answers = helpers.batches_answered(ref, encoded, 16)
    batches = [ref.make_batch(encoded[i:i + 16]) for i in range(0, len(encoded), 16)]
    optimizer = worker.import_module("torch.optim").Adam(remote.parameters(), lr=0.01)
    call = "train_epoch(model, Adam(lr=0.01), 35 phrases, labels, batch_size=16)"
    with helpers.calls_recorded(worker, sub, "make_batch", returns={"make_batch": answers}):
        loss = check.call(call, sub.train_epoch, remote, optimizer, encoded, labels, batch_size=16)
    steps = [(batch, torch.tensor(labels[16 * k:16 * k + len(batch[1])])) for k, batch in enumerate(batches)]
    expected, mistakes = helpers.shared.epoch_loss(local, steps, 0.01, "phrase")
    check.close(check.number(loss, f"the loss {call} returns"), expected, f"the loss {call} returns", rtol=1e-4,
                atol=1e-6, loose=device != "cpu", mistakes=mistakes)


@pytest.mark.points(1)
@pytest.mark.judges("predict", "accuracy")
def test_predict_and_accuracy(sub, ref, rng, worker):
    """predict gives the class of the highest logit per phrase, in order; accuracy the fraction (0 to 1) right"""
    vocab, encoded = helpers.encoded_phrases(rng, ref, 10)
    local, remote = helpers.shared.bag_of_codes(worker, len(vocab), 8, 5, rng)
    with torch.no_grad():
        wanted = [int(local(*ref.make_batch([e])).argmax()) for e in encoded]
    with helpers.calls_recorded(worker, sub, "make_batch",
                                returns={"make_batch": helpers.batches_answered(ref, encoded, 4)}):
        got = check.call("predict(model, encoded phrases, batch_size=4)", sub.predict, remote, encoded, batch_size=4)
    check.that(type(got) is list and all(type(v) is int for v in got),
               f"predict should return a list of ints; got {check.describe(got)}")
    check.that(got == wanted, f"predict on {len(encoded)} phrases should give {wanted}; got {got}")
    labels = [w if k % 3 else (w + 1) % 5 for k, w in enumerate(wanted)]
    fraction = sum(int(w == y) for w, y in zip(wanted, labels)) / len(labels)
    answers = {"predict": helpers.ByArgument([(encoded, wanted)], 1)}
    with helpers.calls_recorded(worker, sub, "predict", returns=answers):
        got = check.call("accuracy(model, encoded phrases, labels)", sub.accuracy, remote, encoded, labels)
    check.close(check.number(got, "accuracy"), fraction, "accuracy(model, encoded phrases, labels)", rtol=1e-6,
                atol=1e-6, mistakes={"accuracy is a percentage; return a fraction between 0 and 1": 100 * fraction})


@pytest.mark.points(1)
@pytest.mark.judges("write_submission")
def test_submission_file(sub, tmp_path):
    """write_submission writes PhraseId,Sentiment with one integer row per phrase, in order"""
    ids, predictions = [156061, 156062, 171580, 157451], [2, 3, 1, 4]
    path = tmp_path / "submission.csv"
    check.call("write_submission(path, phrase_ids, predictions)", sub.write_submission, str(path), ids, predictions)
    check.that(path.is_file(), "write_submission wrote no file at the path it was given")
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    wanted = ["PhraseId,Sentiment"] + [f"{i},{p}" for i, p in zip(ids, predictions)]
    check.that(not (lines and lines[0].startswith(",")),
               "the file starts with an index column; write it with to_csv(path, index=False)")
    check.that(not (len(lines) > 1 and lines[1:] == [f"{i},{p}.0" for i, p in zip(ids, predictions)]),
               "the sentiments are written as floats (2.0); Kaggle wants integers")
    check.that(lines[:1] == wanted[:1], f"the first line should be the header PhraseId,Sentiment; got {lines[:1]}")
    check.that(lines == wanted, f"the file should read {wanted}; got {lines[:6]}")
