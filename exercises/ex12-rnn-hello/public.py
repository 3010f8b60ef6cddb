"""Public checks for ex12-rnn-hello: students run these locally.

Each check judges one part (the one-hot models share one check). Where the stub makes a part
call another (make_inputs may use one_hot, CellModel uses run_cell), the helper is replaced,
while the part runs, by a recorder that answers what the reference would (see
``calls_recorded``); train and predict get models the check builds.
"""

import inspect

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

RUN_CELL = inspect.signature(lambda cell, inputs, hidden: None)
ONE_HOT = inspect.signature(lambda indices, num_classes: None)


def _tensor(value, what):
    check.that(type(value) is torch.Tensor, f"{what} should be a torch tensor; got {check.describe(value)}")
    return value


def _indices(rng, n_classes, length):
    return [int(v) for v in rng.integers(0, n_classes, size=length)]


@pytest.mark.points(1)
@pytest.mark.judges("one_hot")
def test_one_hot(sub, ref, rng):
    """one_hot encodes "hello" and other indices as float32 rows, row t one-hot at indices[t]"""
    for indices, n in ((ref.x_data, 4), (_indices(rng, 6, 7), 6)):
        what = f"one_hot({indices}, {n})"
        rows = _tensor(check.call(what, sub.one_hot, indices, n), what)
        expected = ref.one_hot(indices, n)
        check.close(rows, expected, what,
                    mistakes={"the rows and columns are swapped: row t must be the one-hot vector of indices[t]":
                              expected.T})
        check.that(rows.dtype == torch.float32,
                   f"{what} should be float32 (recurrent layers need float inputs); got {rows.dtype}: "
                   "F.one_hot returns int64, call .float() on it")


@pytest.mark.points(1)
@pytest.mark.judges("make_inputs")
def test_make_inputs(sub, ref, rng, worker):
    """make_inputs gives the one-hot rows as a batch of one: (seq_len, 1, n), or (1, seq_len, n) with batch_first"""
    for indices, n in ((ref.x_data, 4), (_indices(rng, 5, 6), 5)):
        rows = ref.one_hot(indices, n)  # what one_hot answers while make_inputs runs: the student's is not needed
        for batch_first in (False, True):
            what = f"make_inputs({indices}, {n}, batch_first={batch_first})"
            with helpers.shared.calls_recorded(worker, sub, "one_hot", returns={"one_hot": rows}) as calls:
                got = _tensor(check.call(what, sub.make_inputs, indices, n, batch_first=batch_first), what)
                made = calls("one_hot")
            for call in made:
                passed = helpers.shared.bound_call(call, ONE_HOT, "one_hot", what)
                given = check.as_array(passed["indices"], f"the indices {what} passes to one_hot")
                check.that(given.shape == (len(indices),) and (given == indices).all() and passed["num_classes"] == n,
                           f"{what} calls one_hot({given.astype(int).tolist()}, {passed['num_classes']}); it should "
                           f"encode its own arguments, one_hot({indices}, {n})"
                           + (" (x_data is 'hello')" if given.tolist() == list(ref.x_data) else ""))
            check.close(got, ref.make_inputs(indices, n, batch_first=batch_first), what, mistakes={
                "the batch axis is in the wrong place: (seq_len, 1, n) without batch_first, (1, seq_len, n) with it":
                    ref.make_inputs(indices, n, batch_first=not batch_first),
                "the indices argument is ignored: these are the rows of x_data, 'hello'":
                    ref.make_inputs(ref.x_data, n, batch_first=batch_first)})
            check.that(got.dtype == torch.float32, f"{what} should be float32; got {got.dtype}")


@pytest.mark.points(1)
@pytest.mark.judges("rnn_shapes")
def test_rnn_shapes(sub, ref):
    """rnn_shapes gives the input, hidden and output shapes of nn.RNN, with and without batch_first"""
    cases = [dict(seq_len=5, batch_size=1, input_size=4, hidden_size=4),
             dict(seq_len=5, batch_size=3, input_size=4, hidden_size=8, num_layers=2),
             dict(seq_len=5, batch_size=3, input_size=4, hidden_size=8, num_layers=2, batch_first=True)]
    for case in cases:
        args = ", ".join(f"{k}={v}" for k, v in case.items())
        got = check.call(f"rnn_shapes({args})", sub.rnn_shapes, **case)
        check.that(type(got) is dict and {"input", "hidden", "output"} <= set(got),
                   f"rnn_shapes should return a dict with keys input, hidden, output; got {check.describe(got)}")
        expected = ref.rnn_shapes(**case)
        for key in ("input", "hidden", "output"):
            value = got[key]
            check.that(type(value) in (tuple, list) and all(type(v) is int for v in value),
                       f"rnn_shapes({args})[{key!r}] should be a tuple of ints; got {check.describe(value)}")
            value = tuple(value)
            swapped = (case["batch_size"], case.get("num_layers", 1), case["hidden_size"])
            check.that(not (key == "hidden" and case.get("batch_first") and value == swapped),
                       f"rnn_shapes({args})['hidden'] is {value}: batch_first does not apply to the hidden "
                       f"state, which stays (num_layers, batch, hidden_size) = {expected[key]}")
            check.that(value == expected[key], f"rnn_shapes({args})[{key!r}] should be {expected[key]}; got {value}")


@pytest.mark.points(1)
@pytest.mark.judges("rnn_parameter_count", "count_parameters")
def test_parameter_counts(sub, worker):
    """rnn_parameter_count matches one nn.RNN / GRU / LSTM layer; count_parameters counts any module"""
    for mode, i, h in (("RNN", 4, 4), ("GRU", 10, 8), ("LSTM", 10, 8)):
        what = f'rnn_parameter_count("{mode}", {i}, {h})'
        expected = sum(p.numel() for p in getattr(torch.nn, mode)(i, h).parameters())
        check.close(check.call(what, sub.rnn_parameter_count, mode, i, h), expected, what, mistakes={
            f"a single bias per gate is counted; {mode} has two (bias_ih and bias_hh)":
                helpers.formula(mode, i, h, 1, False, biases=1),
            f"the gates are not counted: {mode} has {helpers.GATES[mode]} weight blocks per matrix":
                helpers.formula(mode, i, h, 1, False, gates=1)})
    nn = worker.import_module("torch.nn")
    for what, remote, local in (
            ("count_parameters(nn.LSTM(6, 5))", nn.LSTM(6, 5), torch.nn.LSTM(6, 5)),
            ("count_parameters(nn.Sequential(nn.Embedding(4, 10), nn.Linear(10, 4)))",
             nn.Sequential(nn.Embedding(4, 10), nn.Linear(10, 4)),
             torch.nn.Sequential(torch.nn.Embedding(4, 10), torch.nn.Linear(10, 4)))):
        check.close(check.call(what, sub.count_parameters, remote), sum(p.numel() for p in local.parameters()), what)


@pytest.mark.points(1)
@pytest.mark.judges("run_cell")
def test_run_cell(sub, ref, rng, worker, device):
    """run_cell over an RNNCell gives the outputs of nn.RNN, feeding each hidden state back from the given one"""
    tol = helpers.tolerance(device)
    seq_len, batch, n_in, n_hidden = 6, 3, int(rng.integers(3, 7)), int(rng.integers(4, 9))
    torch.manual_seed(int(rng.integers(1 << 30)))
    cell = torch.nn.RNNCell(n_in, n_hidden)
    remote_cell = worker.import_module("torch.nn").RNNCell(n_in, n_hidden)
    check.call("cell.load_state_dict", remote_cell.load_state_dict, cell.state_dict())
    check.call("cell.to(device)", remote_cell.to, device)
    course = ref.make_inputs(ref.x_data, n_in) if n_in >= 4 else helpers.shared.normal(rng, 5, 1, n_in)
    cases = [(course, torch.zeros(1, n_hidden)),
             (torch.from_numpy(rng.normal(size=(seq_len, batch, n_in))).float(),
              torch.from_numpy(rng.normal(size=(batch, n_hidden))).float())]
    for inputs, h0 in cases:
        what = f"run_cell(cell, inputs of shape {tuple(inputs.shape)}, hidden)"
        result = check.call(what, sub.run_cell, remote_cell, inputs, h0)
        check.that(type(result) in (tuple, list) and len(result) == 2,
                   f"run_cell should return (outputs, hidden); got {check.describe(result)}")
        with torch.no_grad():
            rnn = torch.nn.RNN(n_in, n_hidden)
            rnn.load_state_dict({f"{k}_l0": v for k, v in cell.state_dict().items()})
            outputs, last = rnn(inputs, h0.unsqueeze(0))
            not_fed_back = torch.stack([cell(x_t, h0) for x_t in inputs])
            from_zeros = rnn(inputs, torch.zeros_like(h0).unsqueeze(0))[0]
        check.close(result[0], outputs, f"the outputs of {what} (every hidden state, (seq_len, batch, hidden_size))",
                    **tol, mistakes={
                        "the hidden state is not fed back: every step starts again from the initial hidden state":
                            not_fed_back,
                        "the hidden state passed in is ignored: the loop starts from zeros": from_zeros})
        check.close(result[1], last[0], f"the last hidden state of {what} ((batch, hidden_size))", **tol)


@pytest.mark.points(1)
@pytest.mark.judges("CellModel", "RNNModel")
def test_one_hot_models(sub, ref, rng, worker, device):
    """CellModel and RNNModel give the reference's logits with its weights; trained, RNNModel says "ohlol\""""
    tol = helpers.tolerance(device)
    x = torch.from_numpy(rng.normal(size=(7, 3, 5))).float()
    torch.manual_seed(int(rng.integers(1 << 30)))
    state = {k: v.clone() for k, v in ref.CellModel(5, 6).state_dict().items()}
    cell = helpers.student_model(sub.CellModel, "CellModel", (5, 6), {}, state, device,
                                 "the cell is self.rnncell = nn.RNNCell(input_size, hidden_size)")
    expected = helpers.shared.output_with(ref.CellModel(5, 6), state, x)
    answer = (expected.reshape(7, 3, 6), expected.reshape(7, 3, 6)[-1])  # what run_cell answers while CellModel runs
    with helpers.shared.calls_recorded(worker, sub, "run_cell", returns={"run_cell": answer}) as calls:
        got = check.call("CellModel(5, 6).forward(inputs)", cell, x)
        made = calls("run_cell")
    for call in made:
        hidden = helpers.shared.bound_call(call, RUN_CELL, "run_cell", "CellModel(5, 6)")["hidden"]
        check.that(type(hidden) is torch.Tensor and tuple(hidden.shape) == (3, 6) and not hidden.abs().any(),
                   "CellModel(5, 6) should start run_cell from a zero hidden state of shape (batch, hidden_size) = "
                   f"(3, 6); it passes {check.describe(hidden)}")
    check.close(got, expected, "CellModel(5, 6)'s logits for inputs of shape (7, 3, 5)", **tol)
    inputs = ref.make_inputs(ref.x_data, 4)
    for seed in range(50):  # a starting point from which the reference reaches "ohlol"
        torch.manual_seed(seed)
        trained = ref.RNNModel(4, 4)
        ref.train(trained, inputs, ref.y_data, lr=0.1, epochs=15)
        if ref.predict(trained, inputs) == "ohlol":
            break
    model = helpers.student_model(sub.RNNModel, "RNNModel", (4, 4), {}, trained.state_dict(), device,
                                  "the layer is self.rnn = nn.RNN(input_size, hidden_size, ...)")
    got = check.as_array(check.call("RNNModel(4, 4).forward(make_inputs(x_data, 4))", model, inputs),
                         "RNNModel(4, 4)'s logits")
    with torch.no_grad():
        expected = trained(inputs)
    says = "".join(ref.idx2char[i] for i in got.argmax(axis=1).tolist()) if got.ndim == 2 and got.shape[1] == 4 else ""
    check.close(got, expected, "RNNModel(4, 4)'s logits for 'hello' with the weights the reference reaches after 15 "
                f"epochs (they say 'ohlol'{', yours ' + repr(says) if says and says != 'ohlol' else ''})", **tol)
    for batch_first in (False, True):
        what = helpers.call_text("RNNModel", 5, 6, num_layers=2, batch_first=batch_first)
        model_ref = ref.RNNModel(5, 6, num_layers=2, batch_first=batch_first)
        model = helpers.student_model(sub.RNNModel, "RNNModel", (5, 6), {"num_layers": 2, "batch_first": batch_first},
                                      model_ref.state_dict(), device)
        batch = x.transpose(0, 1).contiguous() if batch_first else x
        with torch.no_grad():
            expected = model_ref(batch)
            ignored = model_ref.rnn(x)[0].transpose(0, 1).reshape(-1, 6) if batch_first else expected
        check.close(check.call(f"{what}.forward(inputs of shape {tuple(batch.shape)})", model, batch), expected,
                    f"the logits of {what}", **tol,
                    mistakes={"batch_first is ignored: the inputs are read as (seq_len, batch, input_size)": ignored})
        check.close(check.call(f"{what}.init_hidden(3)", model.init_hidden, 3), torch.zeros(2, 3, 6),
                    f"{what}.init_hidden(3)")


@pytest.mark.points(1)
@pytest.mark.judges("EmbeddingModel")
def test_embedding_model(sub, ref, rng, device):
    """EmbeddingModel with RNN, GRU and LSTM layers gives the reference's logits and zero initial states"""
    tol = helpers.tolerance(device)
    n_classes, n_emb, n_hidden, layers, batch, seq_len = 6, 5, 7, 2, 3, 8
    x = torch.from_numpy(rng.integers(0, n_classes, size=(batch, seq_len))).long()
    for rnn_type in ("RNN", "GRU", "LSTM"):
        kwargs = {"num_layers": layers, "rnn_type": rnn_type}
        what = helpers.call_text("EmbeddingModel", n_classes, n_emb, n_hidden, **kwargs)
        torch.manual_seed(int(rng.integers(1 << 30)))
        model_ref = ref.EmbeddingModel(n_classes, n_emb, n_hidden, **kwargs)
        model = helpers.student_model(sub.EmbeddingModel, "EmbeddingModel", (n_classes, n_emb, n_hidden), kwargs,
                                      model_ref.state_dict(), device,
                                      f"emb, rnn (an nn.{rnn_type} as rnn_type says, batch_first=True) and fc")
        with torch.no_grad():
            expected = model_ref(x)
        check.close(check.call(f"{what}.forward(indices of shape {tuple(x.shape)})", model, x), expected,
                    f"the logits of {what}", **tol)
        state = check.call(f"{what}.init_hidden({batch})", model.init_hidden, batch)
        zeros = torch.zeros(layers, batch, n_hidden)
        if rnn_type == "LSTM":
            check.that(type(state) in (tuple, list) and len(state) == 2,
                       f"{what}.init_hidden({batch}) should be the pair (h0, c0): an LSTM has a cell state too; "
                       f"got {check.describe(state)}")
            check.close(state[0], zeros, f"h0 of {what}.init_hidden({batch})")
            check.close(state[1], zeros, f"c0 of {what}.init_hidden({batch})")
        else:
            check.close(state, zeros, f"{what}.init_hidden({batch})")


@pytest.mark.points(1)
@pytest.mark.judges("train")
def test_train(sub, ref, rng, worker, device):
    """train follows Adam's loss curve with CrossEntropyLoss, one step per epoch, loss before the step"""
    cases = [("one-hot", ref.make_inputs(ref.x_data, 4), ref.y_data, 0.1, 12),
             ("indices", torch.tensor([_indices(rng, 4, 6)]), _indices(rng, 4, 6), 0.05, 15)]
    for kind, inputs, labels, lr, epochs in cases:
        local, remote = helpers.stand_in_models(worker, kind, rng)
        check.call("model.to(device)", remote.to, device)
        call = f"train(model, inputs, {labels}, lr={lr}, epochs={epochs})"
        losses = check.call(call, sub.train, remote, inputs, labels, lr=lr, epochs=epochs)
        steps = [((inputs,), torch.as_tensor(labels))] * epochs
        curve = helpers.shared.trained_losses
        check.close(losses, curve(local, steps, lr), f"the losses of {call}", rtol=1e-3, atol=1e-5,
                    loose=device != "cpu", mistakes={
                        "the gradients are never zeroed, so they add up from epoch to epoch: call "
                        "optimizer.zero_grad()": curve(local, steps, lr, zero_grad=False),
                        "the optimizer is SGD; the course trains this model with Adam":
                            curve(local, steps, lr, optimizer="SGD"),
                        "the lr argument is ignored (Adam's default 0.001 is used)": curve(local, steps, lr,
                                                                                           default_lr=True),
                        "each loss is recorded after the optimizer's step; losses[e] is the loss before epoch e's step":
                            curve(local, steps, lr, after_step=True)})


@pytest.mark.points(1)
@pytest.mark.judges("predict")
def test_predict(sub, ref, rng, worker, device):
    """predict reads the argmax of each row of the model's logits through idx2char"""
    for kind, inputs in (("one-hot", ref.make_inputs(ref.x_data, 4)), ("indices", torch.tensor([_indices(rng, 4, 7)]))):
        local, remote = helpers.stand_in_models(worker, kind, rng)
        check.call("model.to(device)", remote.to, device)
        with torch.no_grad():
            wanted = "".join(ref.idx2char[i] for i in local(inputs).argmax(dim=1).tolist())
        got = check.call(f"predict(model, inputs of shape {tuple(inputs.shape)})", sub.predict, remote, inputs)
        check.that(type(got) is str, f"predict should return a str such as 'ohlol'; got {check.describe(got)}")
        check.that(got == wanted, f"predict should give {wanted!r}, the argmax of each row of the logits through "
                                  f"idx2char; got {got!r}")
