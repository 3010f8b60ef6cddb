"""Public checks for ex13-name-classifier: students run these locally."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

RTOL, ATOL = 1e-4, 1e-5
SUFFIXES = {"Czech": ["ak", "ek", "ova"], "Japanese": ["moto", "shi", "ra"], "Spanish": ["ez", "es", "o"]}


def _tensors(result, what):
    check.that(type(result) in (tuple, list) and len(result) == 4,
                f"{what} should return (seq_tensor, lengths, sorted_targets, order); got {check.describe(result)}")
    for name, value in zip(("seq_tensor", "lengths", "order"), (result[0], result[1], result[3])):
        check.that(type(value) is torch.Tensor and value.dtype == torch.int64,
                    f"{name} from {what} should be an int64 tensor (nn.Embedding needs integer codes); "
                    f"got {check.describe(value)}")
    return result


def _student_classifier(sub, ref_model, device, *args, **kwargs):
    """The student's RNNClassifier(*args) holding the reference model's weights."""
    what = "RNNClassifier(" + ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())]) + ")"
    model = check.call(what, sub.RNNClassifier, *args, **kwargs)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"{what} should build an nn.Module; got {check.describe(model)}")
    for name, kind in (("embedding", "sparse.Embedding"), ("gru", "rnn.GRU"), ("fc", "linear.Linear")):
        layer = check.call(f"{what}.{name}", getattr, model, name)
        check.that(f"torch.nn.modules.{kind}" in check.type_names(layer),
                    f"{what}.{name} should be an nn.{kind.split('.')[1]}; got {check.describe(layer)}")
    wanted = tuple(ref_model.fc.weight.shape)
    got = tuple(check.call(f"{what}.fc.weight.shape", lambda: model.fc.weight.shape))
    check.that(got == wanted, f"{what}.fc should be nn.Linear({wanted[1]}, {wanted[0]}) (the two directions of the "
                               f"last layer are concatenated); its weight has shape {got}")
    check.call(f"{what}.load_state_dict(the reference weights)", model.load_state_dict, ref_model.state_dict())
    check.call(f"{what}.to(device)", model.to, device)
    return model


def _logits_without_packing(model, names, make_tensors):
    """What a classifier that runs the GRU over the padding (no pack_padded_sequence) returns, in name order."""
    seq, lengths, _, order = make_tensors(names)
    with torch.no_grad():
        _, hidden = model.gru(model.embedding(seq.t()), model._init_hidden(seq.size(0)))
        features = torch.cat([hidden[-1], hidden[-2]], dim=1) if model.n_directions == 2 else hidden[-1]
        sorted_logits = model.fc(features)
    logits = torch.empty_like(sorted_logits)
    logits[order] = sorted_logits
    return logits


def synthetic_names(rng, per_country):
    """Names whose country shows in their ending, shuffled: (names, countries)."""
    letters = list("abcdefghijklmnopqrstuvwxyz")
    names, countries = [], []
    for country, suffixes in SUFFIXES.items():
        for _ in range(per_country):
            stem = "".join(rng.choice(letters, size=int(rng.integers(2, 7))))
            names.append(stem.capitalize() + suffixes[int(rng.integers(len(suffixes)))])
            countries.append(country)
    perm = rng.permutation(len(names))
    return [names[i] for i in perm], [countries[i] for i in perm]


@pytest.mark.points(1)
def test_encode_name(sub, ref):
    """encode_name gives ASCII codes and replaces a character outside ASCII by "?" (63)"""
    for name in ("Adsit", "O'Neal", "Jevolojnov,"):
        check.close(check.call(f"encode_name({name!r})", sub.encode_name, name), ref.encode_name(name),
                     f"encode_name({name!r})")
    check.close(check.call('encode_name("José")', sub.encode_name, "José"), [74, 111, 115, 63], 'encode_name("José")',
                 mistakes={"é (code 233) is outside ASCII and would not fit nn.Embedding(128, ...): replace it by "
                           "'?' (63) as the stub says": [74, 111, 115, 233],
                           "the é is dropped; the stub says to replace it by '?' (63) so that the name keeps "
                           "its length": [74, 111, 115],
                           "the é is turned into e; the stub says to replace it by '?' (63)": [74, 111, 115, 101]})


@pytest.mark.points(1)
def test_country_list(sub, ref):
    """country_list is the sorted list of distinct countries (class index = position)"""
    countries = ["Russian", "Arabic", "Czech", "Russian", "English", "Arabic"]
    got = check.call("country_list(countries)", sub.country_list, countries)
    check.that(type(got) is list and all(type(c) is str for c in got),
                f"country_list should return a list of str; got {check.describe(got)}")
    expected = ref.country_list(countries)
    check.that(got != list(dict.fromkeys(countries)),
                f"country_list gives {got}, the countries in order of first appearance; sort them: the class "
                "index of a country is its position in the sorted list")
    check.that(got == expected, f"country_list({countries}) should be {expected}; got {got}")


@pytest.mark.points(1)
def test_make_tensors(sub, ref):
    """make_tensors pads with zeros, sorts longest first and reorders the targets with the names"""
    names, targets = ["Li", "Nakamura", "Adsit"], [1, 2, 0]
    result = _tensors(check.call("make_tensors(names, targets)", sub.make_tensors, names, targets),
                      "make_tensors(names, targets)")
    seq, lengths, sorted_targets, order = ref.make_tensors(names, targets)
    check.close(result[1], lengths, "lengths for ['Li', 'Nakamura', 'Adsit']",
                 mistakes={"the names are not sorted: pack_padded_sequence wants the longest first": [2, 8, 5],
                           "the names are sorted shortest first; pack_padded_sequence wants the longest first":
                               [2, 5, 8]})
    check.close(result[0], seq, "seq_tensor (rows Nakamura, Adsit, Li, padded with zeros to length 8)")
    check.close(result[3], order, "order (row k is names[order[k]])")
    check.close(result[2], sorted_targets, "sorted_targets",
                 mistakes={"the targets are not reordered with the names: target k must belong to row k": targets})
    none = check.call("make_tensors(names)", sub.make_tensors, names)
    check.that(type(none) in (tuple, list) and len(none) == 4 and none[2] is None,
                "make_tensors(names) without targets should return None as sorted_targets")


@pytest.mark.points(1)
def test_classifier_layers(sub, ref, device):
    """RNNClassifier has the course's layers and gives the reference's logits with its weights"""
    torch.manual_seed(3)
    model_ref = ref.RNNClassifier(128, 16, 5, n_layers=2)
    model = _student_classifier(sub, model_ref, device, 128, 16, 5, n_layers=2)
    seq, lengths, _, _ = ref.make_tensors(["Nakamura", "Adsit", "Sato", "Li"])
    with torch.no_grad():
        expected = model_ref(seq, lengths)
        hidden = model_ref.gru(torch.nn.utils.rnn.pack_padded_sequence(model_ref.embedding(seq.t()), lengths),
                               model_ref._init_hidden(4))[1]
        swapped = model_ref.fc(torch.cat([hidden[-2], hidden[-1]], dim=1))
    check.close(check.call("model(seq_tensor, lengths)", model, seq, lengths), expected,
                 "the logits of RNNClassifier(128, 16, 5, n_layers=2) on a sorted batch of 4 names",
                 rtol=RTOL, atol=ATOL, loose=device != "cpu",
                 mistakes={"the directions are concatenated as [hidden[-2], hidden[-1]]; the stub (and the course) "
                           "use torch.cat([hidden[-1], hidden[-2]], dim=1)": swapped})


@pytest.mark.points(1)
def test_same_name_alone_or_batched(sub, ref, device):
    """a name gets the same logits alone and inside a batch of longer names"""
    torch.manual_seed(4)
    model_ref = ref.RNNClassifier(128, 16, 4, n_layers=2)
    model = _student_classifier(sub, model_ref, device, 128, 16, 4, n_layers=2)
    alone = check.call('classify(model, ["Sato"])', sub.classify, model, ["Sato"])
    check.close(alone, ref.classify(model_ref, ["Sato"]), 'classify(model, ["Sato"])', rtol=RTOL, atol=ATOL, loose=device != "cpu")
    batch = ["Abandonato", "Sato", "Vandroogenbroeck"]
    got = check.call(f"classify(model, {batch})", sub.classify, model, batch)
    expected = ref.classify(model_ref, batch)
    check.close(got, expected, f"classify(model, {batch})", rtol=RTOL, atol=ATOL, loose=device != "cpu", mistakes={
        "the rows are in the sorted order of the batch; row i must belong to names[i] (undo the sort with order)":
            expected[ref.make_tensors(batch)[3]],
        "a name's logits change when it is batched with longer names: the GRU reads the padding; pack the batch "
        "with pack_padded_sequence(embedded, lengths)": _logits_without_packing(model_ref, batch, ref.make_tensors)})
    got = check.as_array(got, "classify's logits")
    check.close(got[1], check.as_array(alone, "classify's logits")[0],
                 '"Sato" batched with longer names (it should get the same logits as alone)', rtol=RTOL, atol=ATOL, loose=device != "cpu")


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_training_learns_name_endings(sub, ref, worker, device):
    """six epochs of train_epoch learn names whose country shows in their ending (held-out accuracy > 80 %)"""
    rng = np.random.default_rng(13)
    names, countries = synthetic_names(rng, 40)
    held_names, held_countries = synthetic_names(rng, 20)
    classes = ref.country_list(countries)
    targets = [classes.index(c) for c in countries]
    held_targets = [classes.index(c) for c in held_countries]
    torch.manual_seed(5)
    model = _student_classifier(sub, ref.RNNClassifier(128, 16, 3, n_layers=1), device, 128, 16, 3, n_layers=1)
    optimizer = worker.import_module("torch.optim").Adam(model.parameters(), lr=0.01)
    losses = []
    for epoch in range(6):
        loss = check.call("train_epoch(model, optimizer, names, targets, batch_size=32)", sub.train_epoch, model,
                     optimizer, names, targets, batch_size=32)
        losses.append(check.number(loss, "the loss train_epoch returns"))
    check.that(losses[-1] < 0.5 * losses[0],
                f"the loss per epoch should fall well below its start; it went {', '.join(f'{v:.3g}' for v in losses)}")
    acc = check.number(check.call("accuracy(model, held-out names, targets)", sub.accuracy, model, held_names,
                              held_targets), "accuracy")
    check.that(0.0 <= acc <= 1.0, f"accuracy should be a fraction between 0 and 1; got {acc:.4g}")
    check.that(acc > 0.8, f"after six epochs the held-out accuracy should be above 0.8 (the reference reaches "
                           f"about 0.95); got {acc:.3g}")
