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


@pytest.mark.points(1)
@pytest.mark.judges("ResidualBlock")
def test_course_block(sub, ref, worker, device, rng):
    """the course's ResidualBlock computes relu(x + conv2(relu(conv1(x)))), and relu(x) with conv2 zeroed"""
    helpers.check_units(sub, ref, ["course"], rng, check.full_precision(worker, device))


@pytest.mark.points(2)
@pytest.mark.judges(*(helpers.CLASSES[name] for name in helpers.SHORTCUT_VARIANTS))
def test_shortcut_variants(sub, ref, worker, device, rng):
    """each shortcut variant (Fig. 2) outputs its shortcut with the branch zeroed, and the reference's output"""
    helpers.check_units(sub, ref, helpers.SHORTCUT_VARIANTS, rng, check.full_precision(worker, device))


@pytest.mark.points(2)
@pytest.mark.judges(*(helpers.CLASSES[name] for name in helpers.ACTIVATION_VARIANTS))
def test_activation_variants(sub, ref, worker, device, rng):
    """each activation placement (Fig. 4) gives relu(bn(x)) or x with the branch zeroed, and the reference's output"""
    helpers.check_units(sub, ref, helpers.ACTIVATION_VARIANTS, rng, check.full_precision(worker, device))


@pytest.mark.points(1)
@pytest.mark.judges("make_unit")
def test_make_unit_by_name(sub, ref, worker, rng):
    """make_unit builds the unit of UNITS[name] with the channels asked; an unknown name raises ValueError"""
    x = torch.randn(2, 6, 7, 5)
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
    """ResidualNet.forward: conv1, relu, pool, rblock1, conv2, relu, pool, rblock2, flatten, fc: (N, 1, 28, 28) -> (N, 10)"""
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
    x = torch.randn(3, 1, 28, 28)
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
