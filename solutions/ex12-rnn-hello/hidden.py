"""Hidden checks for ex12-rnn-hello: randomized comparisons with the reference and the classic mistakes."""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

RTOL, ATOL = 1e-4, 1e-5
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def _student_model(what, cls, ref_model, device, *args, **kwargs):
    """The student's model built with ``args``, holding the reference model's weights."""
    model = check.call(what, cls, *args, **kwargs)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"{what} should build an nn.Module; got {check.describe(model)}")
    check.call(f"{what}.load_state_dict(the reference weights)", model.load_state_dict, ref_model.state_dict())
    check.call(f"{what}.to(device)", model.to, device)
    return model


def _formula(mode, i, h, layers, bidirectional, *, gates=None, biases=2, later_input=None, directions=None):
    """The parameter count, with knobs that reproduce the usual wrong formulas."""
    g = GATES[mode] if gates is None else gates
    d = (2 if bidirectional else 1) if directions is None else directions
    total = 0
    for layer in range(layers):
        inp = i if layer == 0 else (d * h if later_input is None else later_input)
        total += d * (g * h * (inp + h) + biases * g * h)
    return total


@pytest.mark.points(1)
def test_run_cell_random_batch(sub, ref, rng, worker, device):
    """run_cell feeds each hidden state back, from the given initial state, on a batch of 3"""
    seq_len, batch, n_in, n_hidden = 6, 3, int(rng.integers(3, 7)), int(rng.integers(4, 9))
    torch.manual_seed(int(rng.integers(1 << 30)))
    cell = torch.nn.RNNCell(n_in, n_hidden)
    remote_cell = worker.import_module("torch.nn").RNNCell(n_in, n_hidden)
    remote_cell.load_state_dict(cell.state_dict())
    remote_cell.to(device)
    inputs = torch.from_numpy(rng.normal(size=(seq_len, batch, n_in))).float()
    h0 = torch.from_numpy(rng.normal(size=(batch, n_hidden))).float()
    result = check.call("run_cell(cell, inputs, hidden)", sub.run_cell, remote_cell, inputs, h0)
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"run_cell should return (outputs, hidden); got {check.describe(result)}")
    with torch.no_grad():
        outputs, last = ref.run_cell(cell, inputs, h0)
        not_fed_back = torch.stack([cell(x_t, h0) for x_t in inputs])
        from_zeros = ref.run_cell(cell, inputs, torch.zeros_like(h0))[0]
    check.close(result[0], outputs, f"run_cell's outputs on a ({seq_len}, {batch}, {n_in}) input", rtol=RTOL, atol=ATOL, loose=device != "cpu",
                 mistakes={"the hidden state is not fed back: every step starts again from the initial hidden state":
                           not_fed_back,
                           "the hidden state passed in is ignored: the loop starts from zeros": from_zeros})
    check.close(result[1], last, "run_cell's last hidden state", rtol=RTOL, atol=ATOL, loose=device != "cpu")


@pytest.mark.points(1)
def test_parameter_count_random(sub, ref, rng):
    """rnn_parameter_count is right for stacked and bidirectional RNN, GRU and LSTM layers"""
    for mode in ("RNN", "GRU", "LSTM"):
        for layers, bidirectional in ((1, False), (3, False), (2, True)):
            i, h = int(rng.integers(2, 30)), int(rng.integers(2, 30))
            if i == h:
                i += 1
            module = getattr(torch.nn, mode)(i, h, num_layers=layers, bidirectional=bidirectional)
            expected = ref.count_parameters(module)
            what = f'rnn_parameter_count("{mode}", {i}, {h}, num_layers={layers}, bidirectional={bidirectional})'
            got = check.call(what, sub.rnn_parameter_count, mode, i, h, num_layers=layers, bidirectional=bidirectional)
            mistakes = {
                "a single bias per gate is counted; every gate has two (bias_ih and bias_hh)":
                    _formula(mode, i, h, layers, bidirectional, biases=1),
                "the layers after the first are counted with input_size inputs; they read the previous layer's "
                "output (num_directions * hidden_size)": _formula(mode, i, h, layers, bidirectional, later_input=i),
                f"the gates are not counted: {mode} has {GATES[mode]} weight blocks per matrix":
                    _formula(mode, i, h, layers, bidirectional, gates=1),
            }
            if bidirectional:
                mistakes["the second direction is not counted"] = _formula(mode, i, h, layers, False)
                mistakes["the layers after the first read hidden_size inputs; with two directions they read "
                         "2 * hidden_size"] = _formula(mode, i, h, layers, bidirectional, later_input=h)
            check.close(got, expected, what, mistakes=mistakes)


@pytest.mark.points(1)
def test_one_hot_models_match_reference(sub, ref, rng, device):
    """CellModel and RNNModel (with and without batch_first) give the reference's logits with its weights"""
    n_in, n_hidden, seq_len, batch = 5, 6, 7, 3
    torch.manual_seed(int(rng.integers(1 << 30)))
    x = torch.from_numpy(rng.normal(size=(seq_len, batch, n_in))).float()
    cell_ref = ref.CellModel(n_in, n_hidden)
    cell = _student_model(f"CellModel({n_in}, {n_hidden})", sub.CellModel, cell_ref, device, n_in, n_hidden)
    with torch.no_grad():
        check.close(check.call("CellModel.forward(inputs)", cell, x), cell_ref(x),
                     f"CellModel's logits on a ({seq_len}, {batch}, {n_in}) input", rtol=RTOL, atol=ATOL, loose=device != "cpu")
    for batch_first in (False, True):
        what = f"RNNModel({n_in}, {n_hidden}, num_layers=2, batch_first={batch_first})"
        model_ref = ref.RNNModel(n_in, n_hidden, num_layers=2, batch_first=batch_first)
        model = _student_model(what, sub.RNNModel, model_ref, device, n_in, n_hidden, num_layers=2,
                               batch_first=batch_first)
        inputs = x.transpose(0, 1).contiguous() if batch_first else x
        with torch.no_grad():
            expected = model_ref(inputs)
            ignored = model_ref.rnn(inputs.transpose(0, 1))[0].transpose(0, 1).reshape(-1, n_hidden) \
                if batch_first else expected
        check.close(check.call(f"{what}.forward(inputs of shape {tuple(inputs.shape)})", model, inputs), expected,
                     f"the logits of {what}", rtol=RTOL, atol=ATOL, loose=device != "cpu",
                     mistakes={"batch_first is ignored: the inputs are read as (seq_len, batch, input_size)": ignored})
        h0 = check.call(f"{what}.init_hidden({batch})", model.init_hidden, batch)
        check.close(h0, torch.zeros(2, batch, n_hidden), f"{what}.init_hidden({batch})")


@pytest.mark.points(1)
def test_embedding_models_match_reference(sub, ref, rng, device):
    """EmbeddingModel with RNN, GRU and LSTM layers gives the reference's logits and zero states"""
    n_classes, n_emb, n_hidden, layers, batch, seq_len = 6, 5, 7, 2, 3, 8
    x = torch.from_numpy(rng.integers(0, n_classes, size=(batch, seq_len))).long()
    for rnn_type in ("RNN", "GRU", "LSTM"):
        what = f'EmbeddingModel({n_classes}, {n_emb}, {n_hidden}, num_layers={layers}, rnn_type="{rnn_type}")'
        torch.manual_seed(int(rng.integers(1 << 30)))
        model_ref = ref.EmbeddingModel(n_classes, n_emb, n_hidden, num_layers=layers, rnn_type=rnn_type)
        model = check.call(what, sub.EmbeddingModel, n_classes, n_emb, n_hidden, num_layers=layers, rnn_type=rnn_type)
        layer = check.call(f"{what}.rnn", getattr, model, "rnn")
        check.that(f"torch.nn.modules.rnn.{rnn_type}" in check.type_names(layer),
                    f"{what}.rnn should be an nn.{rnn_type}; got {check.describe(layer)}")
        check.close(check.call(f"count_parameters({what})", sub.count_parameters, model),
                     ref.count_parameters(model_ref), f"count_parameters({what})")
        check.call(f"{what}.load_state_dict(the reference weights)", model.load_state_dict, model_ref.state_dict())
        check.call(f"{what}.to(device)", model.to, device)
        with torch.no_grad():
            expected = model_ref(x)
        check.close(check.call(f"{what}.forward(indices of shape {tuple(x.shape)})", model, x), expected,
                     f"the logits of {what}", rtol=RTOL, atol=ATOL, loose=device != "cpu")
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


def _variant_curve(make, state, inputs, labels, lr, epochs, *, zero_grad=True, optimizer="Adam",
                   after_step=False, default_lr=False, keep=None):
    """The losses a training loop with one known mistake gives, computed here, trusted.

    ``keep``, a list, receives the trained model.
    """
    model = make()
    model.load_state_dict(state)
    opt_class = getattr(torch.optim, optimizer)
    opt = opt_class(model.parameters()) if default_lr else opt_class(model.parameters(), lr=lr)
    criterion = torch.nn.CrossEntropyLoss()
    labels = torch.as_tensor(labels)
    losses = []
    for _ in range(epochs):
        if zero_grad:
            opt.zero_grad()
        loss = criterion(model(inputs), labels)
        loss.backward()
        opt.step()
        if after_step:
            with torch.no_grad():
                loss = criterion(model(inputs), labels)
        losses.append(loss.item())
    if keep is not None:
        keep.append(model)
    return losses


@pytest.mark.points(1)
def test_train_matches_reference(sub, ref, rng, device):
    """train follows the reference's loss curve from the same weights (one-hot RNN and embedding GRU)"""
    one_hot = ref.make_inputs(ref.x_data, 4)
    indices = torch.tensor([ref.x_data])
    cases = [("RNNModel(4, 4)", lambda: ref.RNNModel(4, 4), sub.RNNModel, (4, 4), {}, one_hot, 0.1, 12),
             ('EmbeddingModel(4, 10, 8, num_layers=2, rnn_type="GRU")',
              lambda: ref.EmbeddingModel(4, 10, 8, num_layers=2, rnn_type="GRU"), sub.EmbeddingModel,
              (4, 10, 8), {"num_layers": 2, "rnn_type": "GRU"}, indices, 0.05, 15)]
    for what, make, cls, args, kwargs, inputs, lr, epochs in cases:
        torch.manual_seed(int(rng.integers(1 << 30)))
        start = make()
        state = {k: v.clone() for k, v in start.state_dict().items()}
        model = _student_model(what, cls, start, device, *args, **kwargs)
        call = f"train({what}, inputs, y_data, lr={lr}, epochs={epochs})"
        losses = check.call(call, sub.train, model, inputs, ref.y_data, lr=lr, epochs=epochs)
        trained = []
        expected = _variant_curve(make, state, inputs, ref.y_data, lr, epochs, keep=trained)
        try:
            check.close(losses, expected, f"the losses of {call}", rtol=1e-3, atol=1e-5, loose=device != "cpu")
        except check.CheckFailed:
            mistakes = {
                "the gradients are never zeroed, so they add up from epoch to epoch: call optimizer.zero_grad()":
                    _variant_curve(make, state, inputs, ref.y_data, lr, epochs, zero_grad=False),
                "the optimizer is SGD; the course trains this model with Adam":
                    _variant_curve(make, state, inputs, ref.y_data, lr, epochs, optimizer="SGD"),
                "the lr argument is ignored (Adam's default 0.001 is used)":
                    _variant_curve(make, state, inputs, ref.y_data, lr, epochs, default_lr=True),
                "each loss is recorded after the optimizer's step; losses[e] is the loss before epoch e's step":
                    _variant_curve(make, state, inputs, ref.y_data, lr, epochs, after_step=True),
            }
            check.close(losses, expected, f"the losses of {call}", rtol=1e-3, atol=1e-5, loose=device != "cpu", mistakes=mistakes)
            raise
        wanted = ref.predict(trained[0], inputs)
        text = check.call(f"predict({what}, inputs)", sub.predict, model, inputs)
        check.that(text == wanted, f"after training, predict should give {wanted!r} (as the reference does from "
                                    f"the same weights); got {text!r}")
