"""Hidden checks for ex13-name-classifier: randomized comparisons with the reference and the classic mistakes."""

import unicodedata

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

RTOL, ATOL = 1e-4, 1e-5
LETTERS = list("abcdefghijklmnopqrstuvwxyz")
ACCENTED = list("éüøłñçőăßễíàšžå")


def _student_classifier(sub, ref_model, device, *args, **kwargs):
    """The student's RNNClassifier(*args) holding the reference model's weights."""
    what = "RNNClassifier(" + ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())]) + ")"
    model = check.call(what, sub.RNNClassifier, *args, **kwargs)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"{what} should build an nn.Module; got {check.describe(model)}")
    check.call(f"{what}.load_state_dict(the reference weights)", model.load_state_dict, ref_model.state_dict())
    check.call(f"{what}.to(device)", model.to, device)
    return model


def _random_names(rng, count, low=1, high=12):
    return ["".join(rng.choice(LETTERS, size=int(rng.integers(low, high)))).capitalize() for _ in range(count)]


def _unsort(sorted_rows, order):
    rows = torch.empty_like(sorted_rows)
    rows[order] = sorted_rows
    return rows


def _variant_logits(model, names, make_tensors, *, pack=True, swap=False, unsort=True):
    """Logits of the reference model computed the way a known mistake computes them."""
    seq, lengths, _, order = make_tensors(names)
    with torch.no_grad():
        embedded = model.embedding(seq.t())
        if pack:
            embedded = torch.nn.utils.rnn.pack_padded_sequence(embedded, lengths)
        _, hidden = model.gru(embedded, model._init_hidden(seq.size(0)))
        if model.n_directions == 2:
            features = torch.cat([hidden[-2], hidden[-1]] if swap else [hidden[-1], hidden[-2]], dim=1)
        else:
            features = hidden[-1]
        logits = model.fc(features)
    return _unsort(logits, order) if unsort else logits


@pytest.mark.points(1)
def test_non_ascii_names(sub, ref, rng, device):
    """names with characters outside ASCII are encoded with "?" and classified without error"""
    names = []
    for _ in range(5):
        stem = list(rng.choice(LETTERS, size=int(rng.integers(3, 8))))
        stem.insert(int(rng.integers(1, len(stem))), str(rng.choice(ACCENTED)))
        names.append("".join(stem).capitalize())
    for name in names:
        expected = ref.encode_name(name)
        stripped = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        check.close(check.call(f"encode_name({name!r})", sub.encode_name, name), expected, f"encode_name({name!r})",
                     mistakes={"characters outside ASCII keep their code (128 or more), which does not fit "
                               "nn.Embedding(128, ...): replace them by '?' (63)": [ord(c) for c in name],
                               "characters outside ASCII are dropped; replace them by '?' (63)":
                                   [ord(c) for c in name if ord(c) < 128],
                               "accents are stripped (é becomes e); replace each character outside ASCII by "
                               "'?' (63)": [ord(c) for c in stripped]})
    torch.manual_seed(int(rng.integers(1 << 30)))
    model_ref = ref.RNNClassifier(128, 12, 4, n_layers=1)
    model = _student_classifier(sub, model_ref, device, 128, 12, 4, n_layers=1)
    replaced = ["".join(c if ord(c) < 128 else "?" for c in name) for name in names]
    got = check.call(f"classify(model, {names})", sub.classify, model, names)
    check.close(got, ref.classify(model_ref, replaced), "the logits of names with characters outside ASCII "
                 "(they should equal those of the same names with '?' in their place)", rtol=RTOL, atol=ATOL, loose=device != "cpu")


@pytest.mark.points(1)
def test_make_tensors_random(sub, ref, rng):
    """make_tensors on random names (ties included): padded rows, lengths longest first, order and targets agree"""
    names = _random_names(rng, 12, 1, 9)
    targets = [int(t) for t in rng.integers(0, 18, size=len(names))]
    result = check.call("make_tensors(names, targets)", sub.make_tensors, names, targets)
    check.that(type(result) in (tuple, list) and len(result) == 4,
                f"make_tensors should return (seq_tensor, lengths, sorted_targets, order); got {check.describe(result)}")
    seq = check.as_array(result[0], "seq_tensor")
    lengths = check.as_array(result[1], "lengths")
    order = check.as_array(result[3], "order")
    n, longest = len(names), max(map(len, names))
    check.that(seq.shape == (n, longest), f"seq_tensor should have shape ({n}, {longest}); got {seq.shape}")
    check.that(lengths.shape == (n,) and order.shape == (n,),
                f"lengths and order should have shape ({n},); got {lengths.shape} and {order.shape}")
    check.that(sorted(order.astype(int).tolist()) == list(range(n)),
                f"order should be a permutation of 0..{n - 1}; got {order.astype(int).tolist()}")
    check.that(all(lengths[k] >= lengths[k + 1] for k in range(n - 1)),
                f"lengths should run from the longest name to the shortest; got {lengths.astype(int).tolist()}")
    for k, i in enumerate(order.astype(int)):
        codes = ref.encode_name(names[i])
        check.that(int(lengths[k]) == len(codes),
                    f"lengths[{k}] should be the length of names[order[{k}]] = {names[i]!r}, {len(codes)}; "
                    f"got {int(lengths[k])}")
        check.close(seq[k], codes + [0] * (longest - len(codes)),
                     f"row {k} of seq_tensor (the codes of names[order[{k}]] = {names[i]!r}, then zeros)")
    check.close(result[2], [targets[i] for i in order.astype(int)], "sorted_targets",
                 mistakes={"the targets are not reordered with the names: target k must belong to row k": targets})


@pytest.mark.points(1)
def test_classify_matches_reference(sub, ref, rng, device):
    """classify and predict agree with the reference on random names, sizes and directions"""
    for bidirectional, n_layers in ((True, 2), (False, 1), (True, 1)):
        hidden, n_out = int(rng.integers(6, 20)), int(rng.integers(3, 9))
        torch.manual_seed(int(rng.integers(1 << 30)))
        model_ref = ref.RNNClassifier(128, hidden, n_out, n_layers=n_layers, bidirectional=bidirectional)
        model = _student_classifier(sub, model_ref, device, 128, hidden, n_out, n_layers=n_layers,
                                    bidirectional=bidirectional)
        names = _random_names(rng, 9)
        what = f"classify(RNNClassifier(128, {hidden}, {n_out}, n_layers={n_layers}, bidirectional={bidirectional}), " \
               f"{len(names)} names)"
        got = check.call(what, sub.classify, model, names)
        expected = ref.classify(model_ref, names)
        mistakes = {
            "the rows are left in the sorted order; row i must belong to names[i] (undo the sort with order)":
                _variant_logits(model_ref, names, ref.make_tensors, unsort=False),
            "the GRU reads the padding: pack the batch with pack_padded_sequence(embedded, lengths)":
                _variant_logits(model_ref, names, ref.make_tensors, pack=False),
        }
        if bidirectional:
            mistakes["the directions are concatenated as [hidden[-2], hidden[-1]]; the stub (and the course) use "
                     "torch.cat([hidden[-1], hidden[-2]], dim=1)"] = _variant_logits(model_ref, names,
                                                                                     ref.make_tensors, swap=True)
        check.close(got, expected, what, rtol=RTOL, atol=ATOL, loose=device != "cpu", mistakes=mistakes)
        countries = sorted(f"Country{chr(65 + i)}" for i in range(n_out))
        labels = check.call("predict(model, names, countries)", sub.predict, model, names, countries)
        wanted = ref.predict(model_ref, names, countries)
        check.that(type(labels) is list and labels == wanted,
                    f"predict should give {wanted}, one country per name in the order of the names; got "
                    f"{labels if type(labels) is list else check.describe(labels)}")


def _train_variant(ref, state, n_out, names, targets, batch_size, lr, *, sort_targets=True, zero_grad=True,
                   average="name", keep=None):
    """The loss train_epoch gives with one known mistake, computed here, trusted."""
    model = ref.RNNClassifier(128, 12, n_out, n_layers=1)
    model.load_state_dict(state)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss()
    losses, sizes = [], []
    for start in range(0, len(names), batch_size):
        chunk = names[start:start + batch_size]
        seq, lengths, sorted_targets, _ = ref.make_tensors(chunk, targets[start:start + batch_size])
        wanted = sorted_targets if sort_targets else torch.tensor(targets[start:start + batch_size])
        loss = criterion(model(seq, lengths), wanted)
        if zero_grad:
            optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        sizes.append(len(chunk))
    if keep is not None:
        keep.append(model)
    if average == "batch":
        return sum(losses) / len(losses)
    if average == "last":
        return losses[-1]
    return sum(v * n for v, n in zip(losses, sizes)) / len(names)


@pytest.mark.points(1)
@pytest.mark.timeout(60)
def test_train_epoch_and_accuracy(sub, ref, rng, worker, device):
    """train_epoch gives the reference's loss and weights from the same start; accuracy agrees"""
    n_out, batch_size, lr = 4, 16, 0.01
    names = _random_names(rng, 35, 2, 10)  # batches of 16, 16 and 3
    targets = [int(t) for t in rng.integers(0, n_out, size=len(names))]
    torch.manual_seed(int(rng.integers(1 << 30)))
    start = ref.RNNClassifier(128, 12, n_out, n_layers=1)
    state = {k: v.clone() for k, v in start.state_dict().items()}
    model = _student_classifier(sub, start, device, 128, 12, n_out, n_layers=1)
    optimizer = worker.import_module("torch.optim").Adam(model.parameters(), lr=lr)
    call = f"train_epoch(model, Adam(lr={lr}), {len(names)} names, targets, batch_size={batch_size})"
    loss = check.call(call, sub.train_epoch, model, optimizer, names, targets, batch_size=batch_size)
    trained = []
    expected = _train_variant(ref, state, n_out, names, targets, batch_size, lr, keep=trained)
    check.close(loss, expected, f"the loss {call} returns", rtol=1e-4, atol=1e-6, loose=device != "cpu", mistakes={
        "the targets are not sorted along with the names, so each name is trained against another name's country":
            _train_variant(ref, state, n_out, names, targets, batch_size, lr, sort_targets=False),
        "the gradients are never zeroed: call optimizer.zero_grad() before loss.backward()":
            _train_variant(ref, state, n_out, names, targets, batch_size, lr, zero_grad=False),
        "the loss is the mean of the batch losses; the stub asks for the mean per name (each batch's loss times "
        "its size, summed, divided by the number of names)":
            _train_variant(ref, state, n_out, names, targets, batch_size, lr, average="batch"),
        "the loss returned is the last batch's; return the mean per name over the epoch":
            _train_variant(ref, state, n_out, names, targets, batch_size, lr, average="last"),
    })
    probe = _random_names(rng, 6)
    check.close(check.call("classify(model, names) after train_epoch", sub.classify, model, probe),
                 ref.classify(trained[0], probe), "the logits after one epoch (the weights should match the "
                 "reference's after the same epoch)", rtol=1e-3, atol=1e-4, loose=device != "cpu")
    mirror = ref.RNNClassifier(128, 12, n_out, n_layers=1)  # the student's trained weights, here
    mirror.load_state_dict(check.call("model.state_dict()", model.state_dict))
    held = _random_names(rng, 30)
    held_targets = ref.classify(mirror, held).argmax(dim=1).tolist()
    held_targets[: len(held) // 3] = [(t + 1) % n_out for t in held_targets[: len(held) // 3]]
    acc = check.call("accuracy(model, names, targets)", sub.accuracy, model, held, held_targets)
    wanted = ref.accuracy(mirror, held, held_targets)
    check.close(acc, wanted, "accuracy(model, 30 names, targets)", rtol=1e-6, atol=1e-6,
                 mistakes={"accuracy is a percentage; return a fraction between 0 and 1": 100 * wanted})
