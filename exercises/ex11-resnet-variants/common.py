"""Helpers shared by the public and hidden checks of ex11-resnet-variants: the units' names,
reference units with random weights and batch-norm statistics, the student's unit with those
weights loaded, zeroing the residual branch, and full-precision comparisons on a GPU."""

import torch

from pttutor.grader import check

SHORTCUT_VARIANTS = ["original", "constant_scaling", "exclusive_gating", "shortcut_only_gating",
                     "conv_shortcut", "dropout_shortcut"]
ACTIVATION_VARIANTS = ["bn_after_addition", "relu_before_addition", "relu_only_preactivation",
                       "full_preactivation"]
NAMES = ["course", *SHORTCUT_VARIANTS, *ACTIVATION_VARIANTS]
NOTHING_AFTER_ADDITION = {"relu_before_addition", "relu_only_preactivation", "full_preactivation"}


def reference_unit(ref, name, channels, rng):
    """The reference unit with random weights and batch-norm statistics, in eval mode."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    unit = ref.make_unit(name, channels)
    with torch.no_grad():
        for module in unit.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.normal_(0.0, 0.5)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.3)
    return unit.eval()


def branch_end(name):
    """The parameters of the last layer of the residual branch."""
    if name == "course":
        return ["conv2.weight", "conv2.bias"]
    if name in ("bn_after_addition", "full_preactivation"):
        return ["conv2.weight"]
    return ["bn2.weight", "bn2.bias"]


def zero_branch(unit, name):
    """``unit`` with the last layer of its residual branch zeroed (in place), so F(x) = 0."""
    with torch.no_grad():
        for key in branch_end(name):
            unit.get_parameter(key).zero_()
    return unit


def student_unit(sub, name, channels, state):
    """The student's unit of kind ``name`` with the weights ``state`` loaded, in eval mode."""
    unit = sub.make_unit(name, channels)
    same_layout(unit, state, f"make_unit({name!r}, {channels})")
    unit.load_state_dict(state)
    unit.eval()
    return unit


def same_layout(model, state, what):
    """The student's model has the stub's layers (so the reference's weights can be loaded)."""
    check.same_layout(model, state, what, "keep the layers and names that __init__ creates")
