"""Public checks for ex11-resnet-variants: students run these locally.

Every unit is checked by what it does, never by reading its code. The reference's weights
are loaded into the student's unit (the attribute names are fixed in the stub), with
batch-norm statistics and affine parameters drawn at grading time so that batch norm
matters, and the unit runs in eval mode. Zeroing the last layer of the residual branch
leaves the shortcut alone, which each variant defines differently (He et al., 2016, Fig. 2
and 4).
"""

import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)


# ---------------------------------------------------------------- helpers


def shortcut_alone(unit, name, x):
    """What a unit whose branch is zeroed outputs in eval mode: its shortcut (and f after the addition)."""
    with torch.no_grad():
        if name in helpers.NOTHING_AFTER_ADDITION:
            return x.clone()
        if name == "constant_scaling":
            return F.relu(0.5 * x)
        if name in ("exclusive_gating", "shortcut_only_gating"):
            return F.relu((1 - torch.sigmoid(unit.gate(x))) * x)
        if name == "conv_shortcut":
            return F.relu(unit.shortcut(x))
        if name == "bn_after_addition":
            return F.relu(unit.bn2(x))
        return F.relu(x)  # course, original, dropout_shortcut (dropout is off in eval mode)


def zero_branch_mistakes(unit, name, x):
    """Outputs that the usual mistakes give when the branch is zeroed."""
    with torch.no_grad():
        relu_x = F.relu(x)
        if name == "constant_scaling":
            return {"the shortcut is not scaled: the paper scales both x and F(x) by 0.5": relu_x}
        if name in ("exclusive_gating", "shortcut_only_gating"):
            g = torch.sigmoid(unit.gate(x))
            return {"the shortcut is multiplied by g(x); it must be multiplied by 1 - g(x)": F.relu(g * x),
                    "the shortcut is not gated: multiply x by 1 - g(x)": relu_x}
        if name == "conv_shortcut":
            return {"the shortcut is x; it must be the 1x1 convolution self.shortcut(x)": relu_x}
        if name == "dropout_shortcut":
            return {"the shortcut is scaled by 0.5 instead of going through self.dropout (nn.Dropout is "
                    "the identity in eval mode)": F.relu(0.5 * x)}
        if name == "bn_after_addition":
            return {"bn2 is applied inside the branch; in this unit it normalises the sum x + F(x)": relu_x}
        if name in helpers.NOTHING_AFTER_ADDITION:
            return {"there is a ReLU after the addition; this unit adds the shortcut last": relu_x}
        return {"there is no ReLU after the addition": x}


def check_zero_branch(sub, ref, name, rng, tol, channels=4):
    ref_unit = helpers.zero_branch(helpers.reference_unit(ref, name, channels, rng), name)
    unit = helpers.student_unit(sub, name, channels, ref_unit.state_dict())
    x = torch.randn(3, channels, 5, 6) * 2
    check.close(unit(x), shortcut_alone(ref_unit, name, x),
                 f"the output of the {name!r} unit with its residual branch zeroed", **tol,
                 mistakes=zero_branch_mistakes(ref_unit, name, x))


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_course_block(sub, ref, worker, device, rng):
    """the course's ResidualBlock computes relu(x + conv2(relu(conv1(x)))), and relu(x) with conv2 zeroed"""
    tol = check.full_precision(worker, device)
    torch.manual_seed(int(rng.integers(1 << 30)))
    ref_block = ref.ResidualBlock(4)
    block = sub.ResidualBlock(4)
    helpers.same_layout(block, ref_block.state_dict(), "ResidualBlock(4)")
    block.load_state_dict(ref_block.state_dict())
    x = torch.randn(3, 4, 6, 5)
    with torch.no_grad():
        expected = ref_block(x)
        y = ref_block.conv2(F.relu(ref_block.conv1(x)))
    check.close(block(x), expected, "ResidualBlock's output", **tol, mistakes={
        "there is no ReLU after the addition: return relu(x + y)": x + y,
        "the shortcut is missing: add x before the last ReLU": F.relu(y),
        "the ReLU is applied to y before the addition; apply it to the sum x + y": x + F.relu(y),
    })
    helpers.zero_branch(ref_block, "course")
    block.load_state_dict(ref_block.state_dict())
    check.close(block(x), F.relu(x), "ResidualBlock's output with conv2 zeroed", **tol)


@pytest.mark.points(1)
def test_make_unit_by_name(sub, ref, device):
    """make_unit builds every unit by its name, each keeps the input's shape, unknown names raise ValueError"""
    x = torch.randn(2, 6, 7, 5)
    for name in helpers.NAMES:
        unit = sub.make_unit(name, 6)
        helpers.same_layout(unit, ref.make_unit(name, 6).state_dict(), f"make_unit({name!r}, 6)")
        out = unit(x)
        check.that(type(out) is torch.Tensor and tuple(out.shape) == tuple(x.shape),
                    f"the {name!r} unit should keep the input's shape {tuple(x.shape)}; got {check.describe(out)}")
    try:
        sub.make_unit("resnet_9000", 6)
    except check.SubmissionError as exc:
        check.that(exc.kind == "ValueError",
                    f"make_unit('resnet_9000', 6) should raise ValueError; it raised {exc.kind}")
        check.that("original" in exc.message,
                    f"the ValueError for an unknown name should list the known names; it says: {exc.message[:200]}")
    else:
        raise check.CheckFailed("make_unit('resnet_9000', 6) should raise ValueError for an unknown name")


@pytest.mark.points(1)
def test_shortcut_variants_with_zero_branch(sub, ref, worker, device, rng):
    """with the residual branch zeroed, each shortcut variant outputs its shortcut: relu(x), relu(0.5x), gated x, ..."""
    tol = check.full_precision(worker, device)
    for name in helpers.SHORTCUT_VARIANTS:
        check_zero_branch(sub, ref, name, rng, tol)


@pytest.mark.points(1)
def test_which_units_output_negatives(sub, ref, worker, device, rng):
    """units with a ReLU after the addition never output negatives; relu-before-addition and pre-activation units can"""
    check.full_precision(worker, device)
    x = torch.randn(4, 4, 6, 6) * 3
    for name in helpers.NAMES:
        state = helpers.reference_unit(ref, name, 4, rng).state_dict()
        unit = helpers.student_unit(sub, name, 4, state)
        for mode in ("eval", "train"):
            getattr(unit, mode)()
            low = float(check.as_array(unit(x), f"the output of the {name!r} unit").min())
            if name in helpers.NOTHING_AFTER_ADDITION:
                check.that(low < 0, f"the {name!r} unit never output a negative value (in {mode} mode), but "
                                     "it adds the shortcut last, so negative inputs pass through: remove the "
                                     "ReLU after the addition")
            else:
                check.that(low >= 0, f"the {name!r} unit output {low:.3g} (in {mode} mode); it ends with a "
                                      "ReLU after the addition, so it never outputs negative values")


@pytest.mark.points(1)
def test_residual_net(sub, ref, worker, device, rng):
    """ResidualNet is the course's MNIST network with two units of the chosen kind: (N, 1, 28, 28) -> (N, 10)"""
    tol = check.full_precision(worker, device)
    for name in ("course", "full_preactivation", "conv_shortcut"):
        torch.manual_seed(int(rng.integers(1 << 30)))
        ref_net = ref.ResidualNet(name).eval()
        net = sub.ResidualNet(name)
        helpers.same_layout(net, ref_net.state_dict(), f"ResidualNet({name!r})")
        wanted = check.type_names(ref_net.rblock1)[0].rsplit(".", 1)[-1]
        check.that(check.type_names(net.rblock1)[0].endswith(wanted), f"ResidualNet({name!r}).rblock1 should be a {wanted}")
        net.load_state_dict(ref_net.state_dict())
        net.eval()
        x = torch.randn(3, 1, 28, 28)
        with torch.no_grad():
            expected = ref_net(x)
        check.close(net(x), expected, f"ResidualNet({name!r})'s output for 3 images", **tol)
