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

def check_gradients(sub, ref, worker, rng, names):
    for name in names:
        what = helpers.unit_call(name, 4)
        state = {k: v.double() for k, v in helpers.reference_state(ref, name, 4, rng).items()}
        unit = helpers.student_unit(sub, name, 4, state)
        check.call(f"{what}.double()", unit.double)
        helpers.gradient_matches_outputs(worker, unit, torch.randn(2, 4, 5, 5, dtype=torch.float64), what,
                                         int(rng.integers(1 << 30)))


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
