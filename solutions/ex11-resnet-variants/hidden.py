"""Hidden checks for ex11-resnet-variants: the activation placements with the branch zeroed,
every unit against the reference with the reference's weights, gradients to the input, and
dropout on the shortcut in training mode.
"""

import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


def post_branch(u, x):
    """conv-BN-ReLU-conv-BN, the branch of the post-activation units."""
    return u.bn2(u.conv2(u.relu(u.bn1(u.conv1(x)))))


def output_mistakes(u, name, x):
    """What the usual mistakes output for the reference unit ``u`` (eval mode) on ``x``."""
    relu = F.relu
    with torch.no_grad():
        if name == "course":
            y = u.conv2(relu(u.conv1(x)))
            return {"there is no ReLU after the addition": x + y}
        f = post_branch(u, x)
        if name == "original":
            return {"there is no ReLU after the addition": x + f, "the shortcut is missing": relu(f)}
        if name == "constant_scaling":
            return {"only the shortcut is scaled; the paper scales F(x) by 0.5 too": relu(0.5 * x + f),
                    "only F(x) is scaled; the paper scales the shortcut by 0.5 too": relu(x + 0.5 * f)}
        if name in ("exclusive_gating", "shortcut_only_gating"):
            g = torch.sigmoid(u.gate(x))
            found = {"g(x) and 1 - g(x) are swapped: the shortcut is scaled by 1 - g(x)": relu(g * x + (1 - g) * f)}
            if name == "exclusive_gating":
                found["F(x) is not scaled by g(x) (that is shortcut-only gating)"] = relu((1 - g) * x + f)
            else:
                found["F(x) is scaled by g(x) (that is exclusive gating); here only the shortcut is gated"] = \
                    relu((1 - g) * x + g * f)
                found["the shortcut is scaled by g(x); it must be scaled by 1 - g(x)"] = relu(g * x + f)
            return found
        if name == "conv_shortcut":
            return {"the shortcut is x; it must be self.shortcut(x)": relu(x + f)}
        if name == "dropout_shortcut":
            return {"the shortcut is scaled by 0.5 instead of going through self.dropout": relu(0.5 * x + f)}
        if name == "bn_after_addition":
            h = u.conv2(u.relu(u.bn1(u.conv1(x))))
            return {"bn2 is applied to F(x) before the addition; it must normalise the sum x + F(x)":
                        relu(x + u.bn2(h)),
                    "the ReLU comes before bn2; the order after the addition is BN then ReLU": u.bn2(relu(x + h))}
        if name == "relu_before_addition":
            return {"the ReLU is after the addition; in this unit it ends the branch, before the addition":
                        relu(x + f),
                    "the branch has no final ReLU: x + relu(F(x))": x + f}
        pre_relu = u.bn2(u.conv2(u.relu(u.bn1(u.conv1(relu(x))))))
        if name == "relu_only_preactivation":
            return {"there is a ReLU after the addition; pre-activation units add the shortcut last":
                        relu(x + pre_relu),
                    "the input is not passed through a ReLU before conv1": x + f}
        pre_full = u.conv2(u.relu(u.bn2(u.conv1(u.relu(u.bn1(x))))))
        return {"there is a ReLU after the addition; pre-activation units add the shortcut last": relu(x + pre_full),
                "BN and ReLU come after each convolution; in full pre-activation they come before it": x + f,
                "the shortcut is the pre-activated input relu(bn1(x)); it must be x itself":
                    u.relu(u.bn1(x)) + pre_full}


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_activation_variants_with_zero_branch(sub, ref, worker, device, rng):
    """with the branch zeroed: BN-after-addition gives relu(bn(x)), ReLU-before-addition and pre-activation give x"""
    tol = check.full_precision(worker, device)
    relu = F.relu
    for name in helpers.ACTIVATION_VARIANTS:
        ref_unit = helpers.zero_branch(helpers.reference_unit(ref, name, 4, rng), name)
        unit = helpers.student_unit(sub, name, 4, ref_unit.state_dict())
        x = torch.randn(3, 4, 5, 6) * 2
        with torch.no_grad():
            expected = relu(ref_unit.bn2(x)) if name == "bn_after_addition" else x
            if name == "bn_after_addition":
                inside = "bn2 is applied inside the branch; in this unit it normalises the sum x + F(x)"
                mistakes = {inside: relu(x + ref_unit.bn2(torch.zeros_like(x)))}
            else:
                mistakes = {"there is a ReLU after the addition; this unit adds the shortcut last": relu(x)}
            if name == "full_preactivation":
                mistakes["the shortcut is the pre-activated input relu(bn1(x)); it must be x itself"] = \
                    relu(ref_unit.bn1(x))
        check.close(unit(x), expected, f"the output of the {name!r} unit with its residual branch zeroed", **tol,
                     mistakes=mistakes)


@pytest.mark.points(2)
def test_units_match_reference(sub, ref, worker, device, rng):
    """with the reference's weights and batch-norm statistics, every unit gives the reference's output (eval mode)"""
    tol = check.full_precision(worker, device)
    for name in helpers.NAMES:
        channels = int(rng.integers(3, 7))
        ref_unit = helpers.reference_unit(ref, name, channels, rng)
        unit = helpers.student_unit(sub, name, channels, ref_unit.state_dict())
        x = torch.randn(2, channels, int(rng.integers(4, 8)), int(rng.integers(4, 8)))
        with torch.no_grad():
            expected = ref_unit(x)
        check.close(unit(x), expected, f"the output of the {name!r} unit", **tol,
                     mistakes=output_mistakes(ref_unit, name, x))


@pytest.mark.points(1)
def test_gradients_reach_the_input(sub, ref, worker, device, rng):
    """the gradient of every unit's output with respect to its input matches the reference's"""
    tol = check.full_precision(worker, device)
    functional = worker.import_module("torch.autograd.functional")
    for name in helpers.NAMES:
        ref_unit = helpers.reference_unit(ref, name, 4, rng)
        unit = helpers.student_unit(sub, name, 4, ref_unit.state_dict())
        x = torch.randn(2, 4, 5, 5)
        v = torch.randn(2, 4, 5, 5)
        _, expected = torch.autograd.functional.vjp(ref_unit, x, v)
        result = functional.vjp(unit, x, v)
        check.that(type(result) is tuple and len(result) == 2,
                    f"autograd could not differentiate the {name!r} unit; got {check.describe(result)}")
        output, grad = result
        check.close(output, ref_unit(x).detach(),
                     f"the {name!r} unit's output (a wrong output gives a wrong gradient)", **tol)
        check.that(type(grad) is torch.Tensor and float(grad.abs().max()) > 0,
                    f"no gradient reaches the input of the {name!r} unit: do not detach x or use x.data")
        try:
            check.close(grad, expected, f"the gradient of sum(v * unit(x)) with respect to x for the {name!r} unit",
                         **tol)
        except check.CheckFailed as exc:
            raise check.CheckFailed(f"{exc} (is the shortcut detached, x.detach() or x.data, or is x modified "
                                     "in place?)") from None


@pytest.mark.points(1)
def test_dropout_shortcut_in_training(sub, ref, worker, device, rng):
    """the dropout unit zeroes about half of the shortcut and doubles the rest in training mode, and keeps x in eval"""
    tol = check.full_precision(worker, device)
    ref_unit = helpers.zero_branch(helpers.reference_unit(ref, "dropout_shortcut", 8, rng), "dropout_shortcut")
    unit = helpers.student_unit(sub, "dropout_shortcut", 8, ref_unit.state_dict())
    x = torch.rand(4, 8, 8, 8) + 0.1  # positive, so that relu(dropout(x)) shows the mask
    atol = 1e-5 if device == "cpu" else 1e-3
    xs = x.double().numpy()
    out = check.as_array(unit(x), "the dropout unit's output in eval mode")
    check.that(out.shape != xs.shape or not ((abs(out) <= atol) | (abs(out - 2 * xs) <= atol * (1 + 2 * xs))).all(),
                "the shortcut is dropped in eval mode too: use self.dropout (nn.Dropout is the identity after "
                "model.eval()); F.dropout would need training=self.training")
    check.close(out, x, "the dropout unit's output in eval mode with the branch zeroed", **tol)
    worker.seed(int(rng.integers(1 << 30)))
    unit.train()
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
