"""Public checks for ex11-densenet: students run these locally.

Shapes and the concatenation rule of the dense block are checked on random inputs; the
parameter count of the default DenseNet is counted here from the parameters the worker
sends back. The attribute names are fixed in the stub, so the reference's weights can be
loaded into the student's modules by name.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public



# ---------------------------------------------------------------- helpers


def shape_of(out, what):
    check.that(type(out) is torch.Tensor, f"{what} should return a tensor; got {check.describe(out)}")
    return tuple(out.shape)


def trainable_count(model):
    return sum(p.numel() for p in list(model.parameters()) if type(p) is torch.Tensor and p.requires_grad)


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_dense_layer_shapes(sub, ref, device):
    """a DenseLayer returns only growth_rate new feature maps of the input's size, with and without bottleneck"""
    x = torch.randn(2, 5, 6, 7)
    for bottleneck in (False, True):
        call = f"DenseLayer(5, growth_rate=3, bottleneck={bottleneck})"
        layer = sub.DenseLayer(5, 3, bottleneck=bottleneck)
        check.same_layout(layer, ref.DenseLayer(5, 3, bottleneck=bottleneck).state_dict(), call)
        shape = shape_of(layer(x), call)
        check.that(shape != (2, 8, 6, 7),
                    f"{call} returned {shape}: the input and the new features (in + growth_rate channels). A dense "
                    "layer returns only its growth_rate new maps; the block does the concatenating")
        check.that(shape == (2, 3, 6, 7), f"{call} should map (2, 5, 6, 7) to (2, 3, 6, 7); got {shape}")


@pytest.mark.points(2)
def test_dense_block_concatenates(sub, ref, device):
    """a DenseBlock outputs in + num_layers * growth_rate channels, the first in of them equal to its input"""
    x = torch.randn(2, 5, 6, 6)
    for bottleneck in (False, True):
        call = f"DenseBlock(num_layers=3, in_channels=5, growth_rate=4, bottleneck={bottleneck})"
        block = sub.DenseBlock(3, 5, 4, bottleneck=bottleneck)
        check.same_layout(
            block, ref.DenseBlock(3, 5, 4, bottleneck=bottleneck).state_dict(), call,
            "layer i of the block takes in_channels + i * growth_rate channels (all the maps before it)")
        for mode in ("train", "eval"):
            getattr(block, mode)()
            out = block(x)
            shape = shape_of(out, call)
            check.that(shape != (2, 12, 6, 6),
                        f"{call} returned {shape}: only the new features. The block's output begins with its input: "
                        "torch.cat([x, new_1, new_2, new_3], dim=1)")
            check.that(shape == (2, 17, 6, 6),
                        f"{call} should map (2, 5, 6, 6) to (2, 5 + 3 * 4, 6, 6) = (2, 17, 6, 6); got {shape}")
            check.close(out[:, :5], x, f"the first 5 channels of {call}'s output ({mode} mode)", rtol=0, atol=1e-6,
                         mistakes={"the new features come first; concatenate the input first": out[:, -5:]}
                         if torch.allclose(out[:, -5:], x) else None)


@pytest.mark.points(1)
def test_transition_halves(sub, ref, device):
    """a Transition maps in_channels to out_channels and halves the height and the width (rounding down)"""
    transition = sub.Transition(6, 3)
    check.same_layout(transition, ref.Transition(6, 3).state_dict(), "Transition(6, 3)")
    for size, half in (((8, 10), (4, 5)), ((7, 9), (3, 4))):
        shape = shape_of(transition(torch.randn(2, 6, *size)), "Transition(6, 3)")
        check.that(shape == (2, 3, *half),
                    f"Transition(6, 3) should map (2, 6, {size[0]}, {size[1]}) to (2, 3, {half[0]}, {half[1]}); "
                    f"got {shape}")


@pytest.mark.points(1)
def test_densenet_outputs_and_size(sub, ref, device):
    """DenseNet gives 10 logits for 28x28 (1 channel) and 32x32 (3 channels) images, with a parameter count in range"""
    low, high = ref.PARAMETER_RANGE
    for channels, size in ((1, 28), (3, 32)):
        call = f"DenseNet(in_channels={channels})"
        model = sub.DenseNet(in_channels=channels)
        model.eval()
        shape = shape_of(model(torch.randn(2, channels, size, size)), call)
        check.that(shape == (2, 10), f"{call} should map (2, {channels}, {size}, {size}) to (2, 10); got {shape}")
        count = trainable_count(model)
        reference = ref.count_parameters(ref.DenseNet(in_channels=channels))
        check.that(low <= count <= high,
                    f"{call} has {count:,} trainable parameters; with the default settings it should have between "
                    f"{low:,} and {high:,} (the reference has {reference:,})")
        check.close(sub.count_parameters(model), count, f"count_parameters({call})")
