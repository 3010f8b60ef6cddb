"""Public checks for ex13-name-classifier: students run these locally.

Each check judges one part; see common.py for how the parts that call other parts are judged
on their own (a stand-in model, and recorders answering with the reference's results).
"""

import unicodedata

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


@pytest.mark.points(1)
@pytest.mark.judges("encode_name")
def test_encode_name(sub, ref, rng):
    """encode_name gives ASCII codes and replaces each character outside ASCII by "?" (63)"""
    for name in ["Adsit", "O'Neal", "Jevolojnov,", "José", *helpers.accented_names(rng, 4)]:
        stripped = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        check.close(check.call(f"encode_name({name!r})", sub.encode_name, name), ref.encode_name(name),
                    f"encode_name({name!r})", mistakes={
                        "characters outside ASCII keep their code (128 or more), which does not fit "
                        "nn.Embedding(128, ...): replace them by '?' (63) as the stub says": [ord(c) for c in name],
                        "characters outside ASCII are dropped; replace them by '?' (63) so that the name keeps its "
                        "length": [ord(c) for c in name if ord(c) < 128],
                        "accents are stripped (é becomes e); replace each character outside ASCII by '?' (63)":
                            [ord(c) for c in stripped]})


@pytest.mark.points(1)
@pytest.mark.judges("country_list")
def test_country_list(sub, ref):
    """country_list is the sorted list of distinct countries (class index = position)"""
    for countries in (["Russian", "Arabic", "Czech", "Russian", "English", "Arabic"],
                      ["Vietnamese", "Greek", "Korean", "Greek", "Dutch"]):
        got = check.call("country_list(countries)", sub.country_list, countries)
        check.that(type(got) is list and all(type(c) is str for c in got),
                   f"country_list should return a list of str; got {check.describe(got)}")
        expected = ref.country_list(countries)
        check.that(got != list(dict.fromkeys(countries)) or got == expected,
                   f"country_list gives {got}, the countries in order of first appearance; sort them: the class "
                   "index of a country is its position in the sorted list")
        check.that(got == expected, f"country_list({countries}) should be {expected}; got {got}")


def _make_tensors(sub, ref, worker, names, targets=None):
    """make_tensors(names, targets) with encode_name answered by the reference's codes."""
    codes = helpers.ByArgument((name, ref.encode_name(name)) for name in names)
    what = "make_tensors(names)" if targets is None else "make_tensors(names, targets)"
    with helpers.calls_recorded(worker, sub, "encode_name", returns={"encode_name": codes}):
        args = (names,) if targets is None else (names, targets)
        result = check.call(what, sub.make_tensors, *args)
    check.that(type(result) in (tuple, list) and len(result) == 4,
               f"{what} should return (seq_tensor, lengths, sorted_targets, order); got {check.describe(result)}")
    for name, value in zip(("seq_tensor", "lengths", "order"), (result[0], result[1], result[3])):
        check.that(type(value) is torch.Tensor and value.dtype == torch.int64,
                   f"{name} from {what} should be an int64 tensor (nn.Embedding needs integer codes); got "
                   f"{check.describe(value)}")
    return result


@pytest.mark.points(1)
@pytest.mark.judges("make_tensors")
def test_make_tensors(sub, ref, rng, worker):
    """make_tensors pads with zeros, sorts longest first (order says where each row came from) and sorts the targets"""
    names, targets = ["Li", "Nakamura", "Adsit"], [1, 2, 0]
    result = _make_tensors(sub, ref, worker, names, targets)
    seq, lengths, sorted_targets, order = ref.make_tensors(names, targets)
    check.close(result[1], lengths, "lengths for ['Li', 'Nakamura', 'Adsit']",
                mistakes={"the names are not sorted: pack_padded_sequence wants the longest first": [2, 8, 5],
                          "the names are sorted shortest first; pack_padded_sequence wants the longest first":
                              [2, 5, 8]})
    check.close(result[0], seq, "seq_tensor (rows Nakamura, Adsit, Li, padded with zeros to length 8)")
    check.close(result[3], order, "order (row k is names[order[k]])")
    check.close(result[2], sorted_targets, "sorted_targets",
                mistakes={"the targets are not reordered with the names: target k must belong to row k": targets})
    none = _make_tensors(sub, ref, worker, names)
    check.that(none[2] is None, "make_tensors(names) without targets should return None as sorted_targets")
    names = helpers.random_names(rng, 12, 1, 9)  # names of equal length may come in either order
    targets = [int(t) for t in rng.integers(0, 18, size=len(names))]
    result = _make_tensors(sub, ref, worker, names, targets)
    seq, lengths, order = (check.as_array(result[i], n) for i, n in ((0, "seq_tensor"), (1, "lengths"), (3, "order")))
    n, longest = len(names), max(map(len, names))
    check.that(seq.shape == (n, longest) and lengths.shape == (n,) and order.shape == (n,),
               f"for {n} names of at most {longest} letters, seq_tensor, lengths and order should have shapes "
               f"({n}, {longest}), ({n},), ({n},); got {seq.shape}, {lengths.shape}, {order.shape}")
    check.that(sorted(order.astype(int).tolist()) == list(range(n)),
               f"order should be a permutation of 0..{n - 1}; got {order.astype(int).tolist()}")
    check.that(all(lengths[k] >= lengths[k + 1] for k in range(n - 1)),
               f"lengths should run from the longest name to the shortest; got {lengths.astype(int).tolist()}")
    for k, i in enumerate(order.astype(int)):
        codes = ref.encode_name(names[i])
        check.that(int(lengths[k]) == len(codes), f"lengths[{k}] should be the length of names[order[{k}]] = "
                                                  f"{names[i]!r}, {len(codes)}; got {int(lengths[k])}")
        check.close(seq[k], codes + [0] * (longest - len(codes)),
                    f"row {k} of seq_tensor (the codes of names[order[{k}]] = {names[i]!r}, then zeros)")
    check.close(result[2], [targets[i] for i in order.astype(int)], "sorted_targets (target k belongs to row k)",
                mistakes={"the targets are not reordered with the names: target k must belong to row k": targets})


@pytest.mark.points(2)
@pytest.mark.judges("RNNClassifier")
def test_classifier(sub, ref, rng, device):
    """RNNClassifier has the course's layers and gives the reference's logits on a padded, sorted batch"""
    tol = helpers.tolerance(device)
    for hidden, n_out, n_layers, bidirectional in ((16, 5, 2, True), (12, 4, 1, False)):
        torch.manual_seed(int(rng.integers(1 << 30)))
        model_ref = ref.RNNClassifier(128, hidden, n_out, n_layers=n_layers, bidirectional=bidirectional)
        state = model_ref.state_dict()
        model, what = helpers.student_classifier(sub, state, device, 128, hidden, n_out, n_layers=n_layers,
                                                 bidirectional=bidirectional)
        names = ["Nakamura", "Adsit", *helpers.random_names(rng, 3, 2, 10), "Li"]
        seq, lengths, _, _ = ref.make_tensors(names)
        with torch.no_grad():
            expected = model_ref(seq, lengths)
        check.close(check.call(f"{what}(seq_tensor, lengths)", model, seq, lengths), expected,
                    f"the logits of {what} on a sorted batch of {len(names)} names padded to {seq.shape[1]}", **tol,
                    mistakes=helpers.classifier_variants(state, seq, lengths, hidden, n_layers, bidirectional))


@pytest.mark.points(1)
@pytest.mark.judges("classify")
def test_classify(sub, ref, rng, worker):
    """classify gives row i for names[i]: make_tensors, the model, then the rows back in the order of the names"""
    local, remote = helpers.shared.bag_of_codes(worker, 128, 8, 5, rng)
    names = helpers.random_names(rng, 9)
    answer = ref.make_tensors(names)
    with helpers.calls_recorded(worker, sub, "make_tensors",
                                returns={"make_tensors": helpers.ByArgument([(names, answer)])}):
        got = check.call(f"classify(model, {len(names)} names)", sub.classify, remote, names)
    expected = helpers.local_logits(local, names, ref)
    order = answer[3]
    check.close(got, expected, f"classify(model, {names})", rtol=1e-4, atol=1e-5, mistakes={
        "the rows are left in the sorted order of the batch; row i must belong to names[i] (undo the sort with order)":
            expected[order],
        "the rows are put back with logits = sorted_logits[order]; row order[k] of the result is row k of the batch: "
        "logits[order] = sorted_logits": expected[order][order]})


@pytest.mark.points(1)
@pytest.mark.judges("predict")
def test_predict(sub, ref, rng, worker):
    """predict gives the country of the highest logit of each name, in the order of the names"""
    local, remote = helpers.shared.bag_of_codes(worker, 128, 8, 5, rng)
    names = helpers.random_names(rng, 8)
    countries = sorted(f"Country{chr(65 + i)}" for i in range(5))
    logits = helpers.local_logits(local, names, ref)
    answers = {"classify": helpers.ByArgument([(names, logits)], 1)}
    with helpers.calls_recorded(worker, sub, "classify", returns=answers):
        got = check.call("predict(model, names, countries)", sub.predict, remote, names, countries)
    wanted = [countries[i] for i in logits.argmax(dim=1).tolist()]
    check.that(type(got) is list and got == wanted,
               f"predict should give {wanted}, one country (a str from countries) per name in the order of the "
               f"names; got {got if type(got) is list else check.describe(got)}")


@pytest.mark.points(1)
@pytest.mark.timeout(60)
@pytest.mark.judges("train_epoch")
def test_train_epoch(sub, ref, rng, worker, device):
    """train_epoch takes batch_size names at a time, in order, and returns the mean loss per name"""
    local, remote = helpers.shared.bag_of_codes(worker, 128, 8, 4, rng)
    names = helpers.random_names(rng, 35, 2, 10)  # batches of 16, 16 and 3
    targets = [int(t) for t in rng.integers(0, 4, size=len(names))]
    chunks = [(names[i:i + 16], targets[i:i + 16]) for i in range(0, len(names), 16)]
    answers = [ref.make_tensors(n, t) for n, t in chunks]
    optimizer = worker.import_module("torch.optim").Adam(remote.parameters(), lr=0.01)
    call = f"train_epoch(model, Adam(lr=0.01), {len(names)} names, targets, batch_size=16)"
    with helpers.calls_recorded(worker, sub, "make_tensors", returns={
            "make_tensors": helpers.ByArgument((n, a) for (n, _), a in zip(chunks, answers))}):
        loss = check.call(call, sub.train_epoch, remote, optimizer, names, targets, batch_size=16)
    steps = [((seq, lengths), batch_targets) for seq, lengths, batch_targets, _ in answers]
    expected, mistakes = helpers.shared.epoch_loss(local, steps, 0.01, "name")
    unsorted = [((seq, lengths), torch.tensor(t)) for (seq, lengths, _, _), (_, t) in zip(answers, chunks)]
    mistakes["the targets are not the sorted ones make_tensors returns, so each name is trained against another "
             "name's country"] = helpers.shared.epoch_loss(local, unsorted, 0.01, "name")[0]
    check.close(check.number(loss, f"the loss {call} returns"), expected, f"the loss {call} returns", rtol=1e-4,
                atol=1e-6, loose=device != "cpu", mistakes=mistakes)


@pytest.mark.points(1)
@pytest.mark.judges("accuracy")
def test_accuracy(sub, ref, rng, worker):
    """accuracy is the fraction (0 to 1) of names whose highest logit is at their target"""
    remote, names, targets, batches, wanted = helpers.accuracy_setup(worker, ref, rng, 30, 1024)
    with helpers.calls_recorded(worker, sub, "classify", returns={"classify": helpers.ByArgument(batches, 1)}):
        got = check.call("accuracy(model, 30 names, targets)", sub.accuracy, remote, names, targets)
    check.close(check.number(got, "accuracy"), wanted, "accuracy(model, 30 names, targets)", rtol=1e-6, atol=1e-6,
                mistakes={"accuracy is a percentage; return a fraction between 0 and 1": 100 * wanted})
