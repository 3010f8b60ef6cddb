"""Helpers shared by the public and hidden checks of ex11-densenet: full-precision comparisons on
a GPU, and the student's layers checked against the reference's (so weights can be loaded)."""

import torch

from pttutor.grader import expect


def full_precision(worker, device):
    """On a GPU, turn off TF32 convolutions so that results compare with the CPU reference."""
    if device.startswith("cuda"):
        worker.import_module("torch.backends.cudnn").allow_tf32 = False
    return {"rtol": 1e-4, "atol": 1e-5} if device == "cpu" else {"rtol": 1e-3, "atol": 1e-4}


def same_layout(model, state, what, hint=""):
    """The student's state_dict has the keys and shapes of ``state`` (so weights can be loaded)."""
    got = model.state_dict()
    expect.that(type(got) is dict, f"{what}.state_dict() should be a dict; got {expect.describe(got)}")
    want = {k: tuple(v.shape) for k, v in state.items()}
    have = {k: tuple(v.shape) if type(v) is torch.Tensor else None for k, v in got.items()}
    missing, extra = sorted(set(want) - set(have)), sorted(set(have) - set(want))
    expect.that(not missing and not extra,
                f"{what} does not have the layers the stub's docstring names: missing {missing[:6]}, "
                f"unexpected {extra[:6]}" + hint)
    wrong = [f"{k} has shape {have[k]}, expected {want[k]}" for k in want if have[k] != want[k]]
    expect.that(not wrong, f"{what}: " + "; ".join(wrong[:3]) + hint)
