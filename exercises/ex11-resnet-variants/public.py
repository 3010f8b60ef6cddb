"""Public checks for ex11-resnet-variants: students run these locally.

Every unit is checked by what it does, never by reading its code, and on its own: the check
builds the student's class directly with the reference's weights (batch-norm statistics and
affine parameters drawn at grading time, eval mode). Zeroing the last layer of the residual
branch leaves the shortcut alone, which each variant defines differently (He et al., 2016,
Fig. 2 and 4); then the full weights give the reference's output. ``make_unit`` is judged
against the student's own classes, and ``ResidualNet`` with stand-in units built here
(while it is built, ``make_unit`` is replaced by a recorder, so it needs no unit of the student's).
"""

import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)
conv, batch_norm = helpers.conv, helpers.batch_norm


# ---------------------------------------------------------------- the usual mistakes, computed here


def _gate(x, s):
    return torch.sigmoid(conv(x, s, "gate", padding=0))


def _post_branch(x, s):
    """conv-BN-ReLU-conv-BN, the branch of the post-activation units."""
    return batch_norm(conv(F.relu(batch_norm(conv(x, s, "conv1"), s, "bn1")), s, "conv2"), s, "bn2")


AFTER_ADDITION_RELU = "there is a ReLU after the addition; this unit adds the shortcut last, so it can output negatives"


def output_mistakes(name, s, x):
    """What the usual mistakes output for the weights ``s`` on ``x`` (eval mode), by description."""
    relu = F.relu
    with torch.no_grad():
        if name == "course":
            y = conv(relu(conv(x, s, "conv1")), s, "conv2")
            return {"there is no ReLU after the addition: return relu(x + y)": x + y,
                    "the shortcut is missing: add x before the last ReLU": relu(y),
                    "the ReLU is applied to y before the addition; apply it to the sum x + y": x + relu(y)}
        f = _post_branch(x, s)
        found = {"there is no ReLU after the addition": x + f} if name in helpers.SHORTCUT_VARIANTS else {}
        if name == "original":
            found["the shortcut is missing: add x before the last ReLU"] = relu(f)
        elif name == "constant_scaling":
            found["only F(x) is scaled; the paper scales the shortcut x by 0.5 too"] = relu(x + 0.5 * f)
            found["only the shortcut is scaled; the paper scales F(x) by 0.5 too"] = relu(0.5 * x + f)
        elif name in ("exclusive_gating", "shortcut_only_gating"):
            g = _gate(x, s)
            found["the shortcut is not gated: multiply x by 1 - g(x)"] = relu(x + (g * f if name == "exclusive_gating"
                                                                                 else f))
            if name == "exclusive_gating":
                found["g(x) and 1 - g(x) are swapped: the shortcut is scaled by 1 - g(x), F(x) by g(x)"] = \
                    relu(g * x + (1 - g) * f)
                found["F(x) is not scaled by g(x) (that is shortcut-only gating)"] = relu((1 - g) * x + f)
            else:
                found["the shortcut is multiplied by g(x); it must be multiplied by 1 - g(x)"] = relu(g * x + f)
                found["F(x) is scaled by g(x) (that is exclusive gating); here only the shortcut is gated"] = \
                    relu((1 - g) * x + g * f)
        elif name == "conv_shortcut":
            found["the shortcut is x; it must be the 1x1 convolution self.shortcut(x)"] = relu(x + f)
        elif name == "dropout_shortcut":
            found["the shortcut is scaled by 0.5 instead of going through self.dropout (nn.Dropout is the "
                  "identity in eval mode)"] = relu(0.5 * x + f)
        elif name == "bn_after_addition":
            h = conv(relu(batch_norm(conv(x, s, "conv1"), s, "bn1")), s, "conv2")
            found["bn2 is applied inside the branch, before the addition; in this unit it normalises the sum "
                  "x + F(x)"] = relu(x + batch_norm(h, s, "bn2"))
            found["the ReLU comes before bn2; after the addition the order is BN, then ReLU"] = \
                batch_norm(relu(x + h), s, "bn2")
        elif name == "relu_before_addition":
            found["the ReLU is after the addition; in this unit it ends the branch, before the addition"] = relu(x + f)
            found["the branch has no final ReLU: x + relu(F(x))"] = x + f
        elif name == "relu_only_preactivation":
            pre = batch_norm(conv(relu(batch_norm(conv(relu(x), s, "conv1"), s, "bn1")), s, "conv2"), s, "bn2")
            found[AFTER_ADDITION_RELU] = relu(x + pre)
            found["the input is not passed through a ReLU before conv1"] = x + f
        elif name == "full_preactivation":
            pre = conv(relu(batch_norm(conv(relu(batch_norm(x, s, "bn1")), s, "conv1"), s, "bn2")), s, "conv2")
            found[AFTER_ADDITION_RELU] = relu(x + pre)
            found["BN and ReLU come after each convolution; in full pre-activation they come before it"] = x + f
            found["the shortcut is the pre-activated input relu(bn1(x)); it must be x itself"] = \
                relu(batch_norm(x, s, "bn1")) + pre
        return found


def mistake_of_dropout_in_eval(out, x, atol):
    """Whether the dropout unit's output (branch zeroed, eval mode) shows a dropout mask: 0 or 2 relu(x)."""
    got = check.as_array(out, "the dropout unit's output")
    twice = 2 * F.relu(x).double().numpy()
    if got.shape != twice.shape:
        return False
    dropped = abs(got) <= atol
    kept = abs(got - twice) <= atol * (1 + twice)
    return bool((dropped | kept).all() and (dropped & (twice > 10 * atol)).any())


def check_units(sub, ref, names, rng, tol):
    """Each of the student's units ``names`` passes ``check_unit``."""
    for name in names:
        check_unit(sub, ref, name, rng, tol)


def check_unit(sub, ref, name, rng, tol, channels=4):
    """The student's unit ``name`` outputs its shortcut alone with the branch zeroed, then the reference's output."""
    what = helpers.unit_call(name, channels)
    state = helpers.reference_state(ref, name, channels, rng)
    zeroed = helpers.zero_branch(state, name)
    unit = helpers.student_unit(sub, name, channels, zeroed)
    x = helpers.normal(rng, 3, channels, 5, 6) * 2
    out = unit(x)
    if name == "dropout_shortcut" and mistake_of_dropout_in_eval(out, x, tol["atol"] * 10):
        raise check.CheckFailed(f"{what} drops part of the shortcut in eval mode: use self.dropout (nn.Dropout is "
                                "the identity after model.eval()); F.dropout would need training=self.training")
    check.close(out, helpers.reference_output(ref, name, channels, zeroed, x),
                f"the output of {what} with its residual branch zeroed (what is left is the shortcut)", **tol,
                mistakes=output_mistakes(name, zeroed, x))
    check.call(f"{what}.load_state_dict(the reference's weights)", unit.load_state_dict, state, strict=False)
    check.close(unit(x), helpers.reference_output(ref, name, channels, state, x),
                f"the output of {what} with the reference's weights (eval mode)", **tol,
                mistakes=output_mistakes(name, state, x))


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
@pytest.mark.judges("ResidualBlock")
def test_course_block(sub, ref, worker, device, rng):
    """the course's ResidualBlock computes relu(x + conv2(relu(conv1(x)))), and relu(x) with conv2 zeroed"""
    check_units(sub, ref, ["course"], rng, check.full_precision(worker, device))


@pytest.mark.points(2)
@pytest.mark.judges(*(helpers.CLASSES[name] for name in helpers.SHORTCUT_VARIANTS))
def test_shortcut_variants(sub, ref, worker, device, rng):
    """each shortcut variant (Fig. 2) outputs its shortcut with the branch zeroed, and the reference's output"""
    check_units(sub, ref, helpers.SHORTCUT_VARIANTS, rng, check.full_precision(worker, device))


@pytest.mark.points(2)
@pytest.mark.judges(*(helpers.CLASSES[name] for name in helpers.ACTIVATION_VARIANTS))
def test_activation_variants(sub, ref, worker, device, rng):
    """each activation placement (Fig. 4) gives relu(bn(x)) or x with the branch zeroed, and the reference's output"""
    check_units(sub, ref, helpers.ACTIVATION_VARIANTS, rng, check.full_precision(worker, device))


@pytest.mark.points(1)
@pytest.mark.judges("make_unit")
def test_make_unit_by_name(sub, ref, worker, rng):
    """make_unit builds the unit of UNITS[name] with the channels asked; an unknown name raises ValueError"""
    x = helpers.normal(rng, 2, 6, 7, 5)
    for name in helpers.NAMES:
        what = f"make_unit({name!r}, 6)"
        state = helpers.reference_state(ref, name, 6, rng)
        made = helpers.load_layers(check.call(what, sub.make_unit, name, 6), state, what,
                                   f"it should build a {helpers.CLASSES[name]} with 6 channels")
        own = helpers.student_unit(sub, name, 6, state)
        check.call(f"{what}.eval()", made.eval)
        outputs = []
        for unit in (made, own):  # the same seed, so that a unit with randomness gives the same output twice
            worker.seed(7)
            try:
                outputs.append(unit(x))
            except check.SubmissionError as exc:  # the student's class is not done: the same error is fine
                outputs.append((exc.kind, exc.message))
        check.that(type(outputs[0]) is not tuple or outputs[0] == outputs[1],
                   f"{what} raised {outputs[0][0]}: {outputs[0][1][:200]}")
        check.that(type(outputs[1]) is not tuple or outputs[0] == outputs[1],
                   f"{what} does not behave like {helpers.unit_call(name, 6)}: it should build UNITS[{name!r}]")
        if type(outputs[1]) is not tuple:
            check.close(outputs[0], outputs[1], f"the output of {what} (it should compute what "
                                                f"{helpers.unit_call(name, 6)} computes)", rtol=1e-5, atol=1e-6)
    try:
        sub.make_unit("resnet_9000", 6)
    except check.SubmissionError as exc:
        if exc.unfinished_part() == "make_unit":
            raise
        check.that(exc.kind == "ValueError",
                   f"make_unit('resnet_9000', 6) should raise ValueError; it raised {exc.kind}")
        check.that("original" in exc.message,
                   f"the ValueError for an unknown name should list the known names; it says: {exc.message[:200]}")
    else:
        raise check.CheckFailed("make_unit('resnet_9000', 6) should raise ValueError for an unknown name")


@pytest.mark.points(1)
@pytest.mark.judges("ResidualNet")
def test_residual_net(sub, worker, device, rng):
    """ResidualNet.forward: conv1, relu, pool, rblock1, conv2, relu, pool, rblock2, flatten, fc; (N, 1, 28, 28) in"""
    tol = check.full_precision(worker, device)
    with helpers.calls_recorded(worker, sub, "make_unit"):  # the units are stand-ins: make_unit is not needed
        net = check.call("ResidualNet()", sub.ResidualNet)
    torch.manual_seed(int(rng.integers(1 << 30)))
    layers = {"conv1": torch.nn.Conv2d(1, 16, 5), "rblock1": torch.nn.Conv2d(16, 16, 3, padding=1),
              "conv2": torch.nn.Conv2d(16, 32, 5), "rblock2": torch.nn.Conv2d(32, 32, 3, padding=1),
              "fc": torch.nn.Linear(512, 10)}
    nn = worker.import_module("torch.nn")
    for name in ("rblock1", "rblock2"):  # stand-ins for the units, so that only forward is judged
        channels = layers[name].in_channels
        check.call(f"ResidualNet().{name} = nn.Conv2d({channels}, {channels}, 3, padding=1)", setattr, net, name,
                   nn.Conv2d(channels, channels, 3, padding=1))
    state = {f"{name}.{key}": value for name, layer in layers.items() for key, value in layer.state_dict().items()}
    helpers.load_layers(net, state, "ResidualNet()")
    check.call("ResidualNet().eval()", net.eval)
    x = helpers.normal(rng, 3, 1, 28, 28)
    with torch.no_grad():
        first = F.max_pool2d(F.relu(layers["conv1"](x)), 2)
        second = layers["conv2"](layers["rblock1"](first))
        expected = layers["fc"](layers["rblock2"](F.max_pool2d(F.relu(second), 2)).flatten(1))
        mistakes = {
            "there is no ReLU after conv2": layers["fc"](layers["rblock2"](F.max_pool2d(second, 2)).flatten(1)),
            "rblock1 is not applied": layers["fc"](layers["rblock2"](F.max_pool2d(F.relu(layers["conv2"](first)),
                                                                                2)).flatten(1)),
            "rblock2 is not applied": layers["fc"](F.max_pool2d(F.relu(second), 2).flatten(1)),
        }
    check.close(check.call("ResidualNet().forward(3 images)", net, x), expected,
                "ResidualNet's logits for 3 images (with stand-in units built by the check)", **tol,
                mistakes=mistakes)
