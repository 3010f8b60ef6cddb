"""Public checks for ex12-rnn-hello: students run these locally."""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

RTOL, ATOL = 1e-4, 1e-5


def _tensor(value, what):
    check.that(type(value) is torch.Tensor, f"{what} should be a torch tensor; got {check.describe(value)}")
    return value


def _shape(value, what):
    check.that(type(value) in (tuple, list) and all(type(v) is int for v in value),
                f"{what} should be a tuple of ints; got {check.describe(value)}")
    return tuple(value)


def _numel(module):
    """The parameter count of a module built here (the reference is not asked: it may be a recording)."""
    return sum(p.numel() for p in module.parameters())


def _student_model(what, cls, ref_model, device, *args, **kwargs):
    """The student's model built with ``args``, holding the reference model's weights."""
    model = check.call(what, cls, *args, **kwargs)
    check.that("torch.nn.modules.module.Module" in check.type_names(model),
                f"{what} should build an nn.Module; got {check.describe(model)}")
    check.call(f"{what}.load_state_dict(the reference weights)", model.load_state_dict, ref_model.state_dict())
    check.call(f"{what}.to(device)", model.to, device)
    return model


@pytest.mark.points(1)
def test_one_hot_hello(sub, ref):
    """one_hot and make_inputs encode "hello" as float one-hot rows, batch axis where asked"""
    rows = _tensor(check.call("one_hot(x_data, 4)", sub.one_hot, ref.x_data, 4), "one_hot(x_data, 4)")
    expected = ref.one_hot(ref.x_data, 4)
    check.close(rows, expected, "one_hot([1, 0, 2, 2, 3], 4)",
                 mistakes={"the rows and columns are swapped: row t must be the one-hot vector of indices[t]":
                           expected.T})
    check.that(rows.dtype == torch.float32,
                f"one_hot should give float32 (recurrent layers need float inputs); got {rows.dtype}: "
                "F.one_hot returns int64, call .float() on it")
    for batch_first in (False, True):
        what = f"make_inputs(x_data, 4, batch_first={batch_first})"
        got = _tensor(check.call(what, sub.make_inputs, ref.x_data, 4, batch_first=batch_first), what)
        check.close(got, ref.make_inputs(ref.x_data, 4, batch_first=batch_first), what)
        check.that(got.dtype == torch.float32, f"{what} should be float32; got {got.dtype}")


@pytest.mark.points(1)
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
            value = _shape(got[key], f"rnn_shapes({args})[{key!r}]")
            swapped = (case["batch_size"], case.get("num_layers", 1), case["hidden_size"])
            check.that(not (key == "hidden" and case.get("batch_first") and value == swapped),
                        f"rnn_shapes({args})['hidden'] is {value}: batch_first does not apply to the hidden "
                        f"state, which stays (num_layers, batch, hidden_size) = {expected[key]}")
            check.that(value == expected[key], f"rnn_shapes({args})[{key!r}] should be {expected[key]}; got {value}")


@pytest.mark.points(1)
def test_cell_loop_matches_rnn(sub, ref, worker, device):
    """run_cell over an RNNCell gives the outputs of nn.RNN with the same weights"""
    torch.manual_seed(12)
    rnn = torch.nn.RNN(4, 4)
    cell = worker.import_module("torch.nn").RNNCell(4, 4)
    cell.load_state_dict({name.removesuffix("_l0"): value for name, value in rnn.state_dict().items()})
    cell.to(device)
    inputs = ref.make_inputs(ref.x_data, 4)
    h0 = torch.zeros(1, 4)
    result = check.call("run_cell(cell, inputs, hidden)", sub.run_cell, cell, inputs, h0)
    check.that(type(result) in (tuple, list) and len(result) == 2,
                f"run_cell should return (outputs, hidden); got {check.describe(result)}")
    with torch.no_grad():
        out, h_n = rnn(inputs, h0.unsqueeze(0))
    check.close(result[0], out, "the outputs of run_cell (all hidden states, (seq_len, batch, hidden_size))",
                 rtol=RTOL, atol=ATOL, loose=device != "cpu")
    check.close(result[1], h_n[0], "the last hidden state of run_cell ((batch, hidden_size))", rtol=RTOL, atol=ATOL, loose=device != "cpu")


@pytest.mark.points(1)
def test_parameter_count_formula(sub, ref, worker):
    """rnn_parameter_count matches nn.RNN / GRU / LSTM; count_parameters counts a module"""
    check.close(check.call('rnn_parameter_count("RNN", 4, 4)', sub.rnn_parameter_count, "RNN", 4, 4), 40,
                 'rnn_parameter_count("RNN", 4, 4)', mistakes={"a single bias per gate is counted; nn.RNN has two "
                                                               "(bias_ih and bias_hh)": 36})
    for mode in ("GRU", "LSTM"):
        expected = _numel(getattr(torch.nn, mode)(10, 8, 2))
        check.close(check.call(f'rnn_parameter_count("{mode}", 10, 8, num_layers=2)', sub.rnn_parameter_count,
                           mode, 10, 8, num_layers=2), expected, f'rnn_parameter_count("{mode}", 10, 8, num_layers=2)')
    module = worker.import_module("torch.nn").LSTM(6, 5)
    check.close(check.call("count_parameters(nn.LSTM(6, 5))", sub.count_parameters, module),
                 _numel(torch.nn.LSTM(6, 5)), "count_parameters(nn.LSTM(6, 5))")


@pytest.mark.points(1)
def test_hello_becomes_ohlol(sub, ref, device):
    """RNNModel(4, 4) trained with Adam lr 0.1 for 15 epochs predicts "ohlol\""""
    inputs = ref.make_inputs(ref.x_data, 4)
    for seed in range(50):  # a starting point from which the reference reaches "ohlol"
        torch.manual_seed(seed)
        start = ref.RNNModel(4, 4)
        trained = ref.RNNModel(4, 4)
        trained.load_state_dict(start.state_dict())
        ref.train(trained, inputs, ref.y_data, lr=0.1, epochs=15)
        if ref.predict(trained, inputs) == "ohlol":
            break
    model = _student_model("RNNModel(4, 4)", sub.RNNModel, start, device, 4, 4)
    losses = check.call("train(model, inputs, y_data, lr=0.1, epochs=15)", sub.train, model, inputs, ref.y_data,
                   lr=0.1, epochs=15)
    curve = check.as_array(losses, "the losses train returns")
    check.that(curve.shape == (15,), f"train should return 15 losses, one per epoch; got {check.describe(losses)}")
    check.that(curve[-1] < curve[0], f"the loss should go down; it went from {curve[0]:.4g} to {curve[-1]:.4g}")
    text = check.call("predict(model, inputs)", sub.predict, model, inputs)
    check.that(type(text) is str, f"predict should return a str; got {check.describe(text)}")
    check.that(text == "ohlol", f"after 15 epochs from the reference's starting weights the model should predict "
                                 f"'ohlol'; it predicts {text!r}")
