"""Hidden checks for ex11-densenet: settings other than the defaults, and gradients that reach
the input.

Each judges what the public checks leave out, so that a mistake the public checks show
costs nothing more here: whether growth_rate, bn_size and bottleneck are honoured and passed
on, whether the network follows its arguments, and whether autograd's gradient agrees with
the part's own outputs (finite differences in float64), whatever the part computes.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)

OTHER = {"growth_rate": 6, "block_config": (2, 3), "bottleneck": False, "bn_size": 4, "compression": 1.0,
         "in_channels": 3, "num_classes": 5}


@pytest.mark.points(1)
@pytest.mark.judges("DenseLayer")
def test_dense_layer_settings_and_gradient(sub, ref, worker, rng):
    """a DenseLayer follows growth_rate and bn_size, and passes the gradient to its input"""
    for args, kwargs in (((7, 5), {"bottleneck": True, "bn_size": 2}), ((3, 2), {"bottleneck": False, "bn_size": 3})):
        what = helpers.call_text("DenseLayer", *args, **kwargs)
        torch.manual_seed(int(rng.integers(1 << 30)))
        state = {k: v.double() for k, v in helpers.reference_state(ref.DenseLayer(*args, **kwargs), rng).items()}
        layer = helpers.student_module(sub.DenseLayer, "DenseLayer", args, kwargs, state,
                                       "conv1 has bn_size * growth_rate outputs with the bottleneck, growth_rate "
                                       "without")
        check.call(f"{what}.double()", layer.double)
        helpers.shared.gradient_matches_outputs(worker, layer, torch.randn(2, args[0], 4, 5, dtype=torch.float64),
                                                what, int(rng.integers(1 << 30)))


@pytest.mark.points(1)
@pytest.mark.judges("DenseBlock")
def test_dense_block_settings_and_gradient(sub, worker, rng):
    """a DenseBlock passes growth_rate, bottleneck and bn_size on to its layers, and the gradient to its input"""
    what = helpers.call_text("DenseBlock", 2, 5, 3, bottleneck=True, bn_size=2)
    block, calls = helpers.build_block(worker, sub, what, (2, 5, 3), {"bottleneck": True, "bn_size": 2})
    layers = [helpers.bound_call(c, helpers.LAYER, "DenseLayer", what) for c in calls]
    check.that(len(layers) == 2, f"{what} should build 2 dense layers; it built {len(layers)}")
    for i, layer in enumerate(layers):
        passed = {k: layer[k] for k in ("growth_rate", "bottleneck", "bn_size")}
        check.that(passed == {"growth_rate": 3, "bottleneck": True, "bn_size": 2},
                   f"{what} builds layer {i} with {passed}: growth_rate, bottleneck and bn_size go to every layer")
    sizes = [(layer["in_channels"], 3) for layer in layers]  # the student's own channel counts: judged in public
    helpers.with_stand_in_layers(worker, block, what, sizes, rng, dtype=torch.float64)
    check.call(f"{what}.double()", block.double)
    helpers.shared.gradient_matches_outputs(worker, block, torch.randn(2, 5, 4, 4, dtype=torch.float64),
                                            f"{what} (with stand-in layers)", int(rng.integers(1 << 30)))


@pytest.mark.points(1)
@pytest.mark.judges("DenseNet")
def test_densenet_other_settings(sub, worker, rng):
    """DenseNet follows its arguments: growth_rate, block_config, bottleneck, compression, in_channels, num_classes"""
    what = helpers.call_text("DenseNet", **OTHER)
    model = helpers.build_densenet(worker, sub, what, OTHER)
    helpers.with_stand_ins(worker, model, what, OTHER, rng)
    out = check.call(f"{what}.forward (with stand-in blocks and transitions)", model, torch.randn(2, 3, 32, 32))
    check.that(type(out) is torch.Tensor and tuple(out.shape) == (2, 5),
               f"{what} should map (2, 3, 32, 32) to (2, 5) logits; got {check.describe(out)}")
