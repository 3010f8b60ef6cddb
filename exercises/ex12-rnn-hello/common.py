"""Helpers shared by the public and hidden checks of ex12-rnn-hello.

Each check judges one part. Models are loaded with the reference's weights by the stub's
attribute names (a layer also registered under another name is fine) and judged by their
logits; ``train`` and ``predict`` get small models the check builds in the worker (a linear
layer on the one-hot rows, or an embedding and a linear layer), whose trusted twins are
trained here; ``count_parameters`` counts modules the check builds.
"""


import torch

from pttutor.grader import check

shared = check.common(__file__, "ex11-resnet-variants")

RTOL, ATOL = 1e-4, 1e-5
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def call_text(name, *args, **kwargs):
    """How a message names a call: ``RNNModel(4, 4, batch_first=True)``."""
    return f"{name}(" + ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())]) + ")"


def student_model(cls, name, args, kwargs, state, device, advice="keep the attribute names the stub gives"):
    """The student's ``name(*args, **kwargs)`` holding the weights ``state``."""
    what = call_text(name, *args, **kwargs)
    model = check.call(what, cls, *args, **kwargs)
    shared.load_layers(model, state, what, advice)
    check.call(f"{what}.to(device)", model.to, device)
    return model


def tolerance(device):
    return {"rtol": RTOL, "atol": ATOL, "loose": device != "cpu"}


def stand_in_models(worker, kind, rng, n_classes=4, width=6):
    """A small model built here and its twin in the worker, with the same weights.

    ``kind`` "one-hot": Flatten(0, 1) then Linear(n_classes, n_classes), for one-hot inputs
    (seq_len, batch, n_classes); "indices": Embedding(n_classes, width), Flatten(0, 1),
    Linear(width, n_classes), for indices (batch, seq_len). Both give logits (rows, n_classes).
    """
    nn = worker.import_module("torch.nn")
    torch.manual_seed(int(rng.integers(1 << 30)))
    if kind == "one-hot":
        local = torch.nn.Sequential(torch.nn.Flatten(0, 1), torch.nn.Linear(n_classes, n_classes))
        remote = nn.Sequential(nn.Flatten(0, 1), nn.Linear(n_classes, n_classes))
    else:
        local = torch.nn.Sequential(torch.nn.Embedding(n_classes, width), torch.nn.Flatten(0, 1),
                                    torch.nn.Linear(width, n_classes))
        remote = nn.Sequential(nn.Embedding(n_classes, width), nn.Flatten(0, 1), nn.Linear(width, n_classes))
    check.call("model.load_state_dict(the check's weights)", remote.load_state_dict, local.state_dict())
    return local, remote


def formula(mode, i, h, layers, bidirectional, *, gates=None, biases=2, later_input=None, directions=None):
    """The parameter count, with knobs that reproduce the usual wrong formulas."""
    g = GATES[mode] if gates is None else gates
    d = (2 if bidirectional else 1) if directions is None else directions
    total = 0
    for layer in range(layers):
        inp = i if layer == 0 else (d * h if later_input is None else later_input)
        total += d * (g * h * (inp + h) + biases * g * h)
    return total
