"""Hidden checks for ex11-resnet-variants: gradients that reach the input, and dropout on the
shortcut in training mode.

The gradient checks judge autograd's answer against the unit's own outputs (central finite
differences in float64), not against the reference: a unit that computes the wrong thing
loses its points in the public checks, and here only a broken gradient (a detached
shortcut, ``x.data``, an in-place change of the input) costs a point.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)

STEP = 1e-6


def check_gradients(sub, ref, worker, rng, names):
    functional = worker.import_module("torch.autograd.functional")
    for name in names:
        what = helpers.unit_call(name, 4)
        state = {k: v.double() for k, v in helpers.reference_state(ref, name, 4, rng).items()}
        unit = helpers.student_unit(sub, name, 4, state)
        check.call(f"{what}.double()", unit.double)
        x = torch.randn(2, 4, 5, 5, dtype=torch.float64)
        v = torch.randn(2, 4, 5, 5, dtype=torch.float64)
        seed = int(rng.integers(1 << 30))  # the same seed before every call: a unit with randomness is one function
        worker.seed(seed)
        result = check.call(f"torch.autograd.functional.vjp({what}, x, v)", functional.vjp, unit, x, v)
        check.that(type(result) is tuple and len(result) == 2,
                   f"autograd could not differentiate {what}; got {check.describe(result)}")
        grad = check.as_array(result[1], f"the gradient of {what} with respect to its input")
        check.that(grad.shape == tuple(x.shape) and abs(grad).max() > 0,
                   f"no gradient reaches the input of {what}: do not detach x or use x.data")
        for _ in range(2):
            d = torch.randn(x.shape, dtype=torch.float64)
            worker.seed(seed)
            ahead = check.as_array(unit(x + STEP * d), f"the output of {what}")
            worker.seed(seed)
            behind = check.as_array(unit(x - STEP * d), f"the output of {what}")
            numeric = float((v.numpy() * (ahead - behind)).sum() / (2 * STEP))
            autograd = float((grad * d.numpy()).sum())
            check.that(abs(numeric - autograd) <= 1e-4 * (1 + abs(numeric)),
                       f"the gradient autograd computes through {what} does not match the unit's own outputs: "
                       f"along a random direction its outputs change by {numeric:.6g}, the gradient says "
                       f"{autograd:.6g}. Is part of the path to the input detached (x.detach(), x.data) or is x "
                       "modified in place?")


@pytest.mark.points(1)
@pytest.mark.judges("ResidualBlock", *(helpers.CLASSES[name] for name in helpers.SHORTCUT_VARIANTS))
def test_gradients_of_shortcut_variants(sub, ref, worker, rng):
    """the course block and every shortcut variant pass the gradient to their input, shortcut included"""
    check_gradients(sub, ref, worker, rng, ["course", *helpers.SHORTCUT_VARIANTS])


@pytest.mark.points(1)
@pytest.mark.judges(*(helpers.CLASSES[name] for name in helpers.ACTIVATION_VARIANTS))
def test_gradients_of_activation_variants(sub, ref, worker, rng):
    """every activation placement passes the gradient to its input, shortcut included"""
    check_gradients(sub, ref, worker, rng, helpers.ACTIVATION_VARIANTS)


@pytest.mark.points(1)
@pytest.mark.judges("DropoutShortcutUnit")
def test_dropout_shortcut_in_training(sub, ref, worker, device, rng):
    """in training mode the dropout unit zeroes about half of the shortcut and doubles the rest"""
    state = helpers.zero_branch(helpers.reference_state(ref, "dropout_shortcut", 8, rng), "dropout_shortcut")
    unit = helpers.student_unit(sub, "dropout_shortcut", 8, state)
    x = torch.rand(4, 8, 8, 8) + 0.1  # positive, so that relu(dropout(x)) shows the mask
    atol = 1e-5 if device == "cpu" else 1e-3
    xs = x.double().numpy()
    worker.seed(int(rng.integers(1 << 30)))
    check.call("DropoutShortcutUnit(8).train()", unit.train)
    out = check.as_array(unit(x), "the dropout unit's output in training mode")
    check.that(out.shape == xs.shape, f"the dropout unit should keep the shape {xs.shape}; got {out.shape}")
    dropped = abs(out) <= atol
    kept = abs(out - 2 * xs) <= atol * (1 + 2 * xs)
    check.that(not (abs(out - xs) <= atol * (1 + xs)).all(),
               "in training mode the shortcut came through unchanged: apply self.dropout to the shortcut x "
               "(not to F(x)), and call it in forward")
    check.that((dropped | kept).all(),
               "in training mode each element of the shortcut should be 0 or 2x (nn.Dropout(p=0.5) doubles what "
               "it keeps); other values came out")
    share = float(dropped.mean())
    check.that(0.4 <= share <= 0.6,
               f"{100 * share:.0f} % of the shortcut was dropped; with p = 0.5 about half should be")
