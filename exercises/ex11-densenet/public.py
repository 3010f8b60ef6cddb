"""Public checks for ex11-densenet: students run these locally.

A dense layer and a transition get the reference's weights and batch-norm statistics drawn
at grading time (eval mode) and must give the reference's output. A dense block and the
network are built with their smaller parts replaced by recorders (the arguments they pass
are judged) and run with stand-in layers built by the check, so that each check judges one
part.
``count_parameters`` counts models built by the check.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.public

helpers = check.common(__file__)

DEFAULTS = {"growth_rate": 12, "block_config": (4, 4, 4), "bottleneck": True, "bn_size": 4, "compression": 0.5,
            "in_channels": 1, "num_classes": 10}


@pytest.mark.points(2)
@pytest.mark.judges("DenseLayer")
def test_dense_layer(sub, ref, worker, device, rng):
    """a DenseLayer computes BN-ReLU-Conv (1x1 then 3x3 with the bottleneck) and returns only growth_rate new maps"""
    tol = check.full_precision(worker, device)
    x = helpers.shared.normal(rng, 2, 6, 5, 7)
    for bottleneck in (False, True):
        what = helpers.call_text("DenseLayer", 6, 4, bottleneck=bottleneck)
        torch.manual_seed(int(rng.integers(1 << 30)))
        r = ref.DenseLayer(6, 4, bottleneck=bottleneck)
        state = helpers.reference_state(r, rng)
        layer = helpers.student_module(sub.DenseLayer, "DenseLayer", (6, 4), {"bottleneck": bottleneck}, state,
                                       helpers.LAYER_ADVICE)
        check.close(layer(x), helpers.shared.output_with(r, state, x), f"{what}'s output for (2, 6, 5, 7) (eval mode)",
                    **tol, mistakes=helpers.layer_mistakes(state, x, bottleneck))


@pytest.mark.points(2)
@pytest.mark.judges("DenseBlock")
def test_dense_block(sub, worker, device, rng):
    """a DenseBlock builds layer i for in + i * growth_rate channels and outputs its input followed by all new maps"""
    tol = check.full_precision(worker, device)
    for num_layers, bottleneck in ((3, False), (2, True)):
        what = helpers.call_text("DenseBlock", num_layers, 5, 4, bottleneck=bottleneck)
        block, calls = helpers.build_block(worker, sub, what, (num_layers, 5, 4), {"bottleneck": bottleneck})
        helpers.built_with(calls, helpers.LAYER, "DenseLayer",
                           [{"in_channels": 5 + 4 * i, "growth_rate": 4, "bottleneck": bottleneck, "bn_size": 4}
                            for i in range(num_layers)], what, lambda i: helpers.BLOCK_ADVICE)
        local = helpers.with_stand_in_layers(worker, block, what, [(5 + 4 * i, 4) for i in range(num_layers)], rng)
        x = helpers.shared.normal(rng, 2, 5, 6, 6)
        expected = helpers.block_forward(local, x)
        got = check.call(f"{what}.forward (with stand-in layers)", block, x,
                         explain=lambda exc: f"layer i must receive torch.cat of the block's input and the new maps of "
                                             f"the layers before it; {helpers.BLOCK_ADVICE}")
        check.close(got, expected, f"{what}'s output (with stand-in layers built by the check)", **tol, mistakes={
            "only the new features are returned; the block's output begins with its input: "
            "torch.cat([x, new_1, new_2, ...], dim=1)": expected[:, 5:],
            "the new features come first; concatenate the input first": torch.cat([expected[:, 5:], x], dim=1)})


@pytest.mark.points(1)
@pytest.mark.judges("Transition")
def test_transition(sub, ref, worker, device, rng):
    """a Transition computes BN-ReLU-Conv1x1 then a 2x2 average pool, halving H and W (rounding down)"""
    tol = check.full_precision(worker, device)
    torch.manual_seed(int(rng.integers(1 << 30)))
    r = ref.Transition(6, 4)
    state = helpers.reference_state(r, rng)
    transition = helpers.student_module(sub.Transition, "Transition", (6, 4), {}, state,
                                        "BN comes first, so norm normalises the in_channels inputs")
    for size in ((8, 6), (7, 9)):
        x = helpers.shared.normal(rng, 2, 6, *size)
        with torch.no_grad():
            inner = helpers.conv(torch.relu(helpers.batch_norm(x, state, "norm")), state, "conv", padding=0)
            mistakes = {
                "it max-pools; a transition averages: nn.AvgPool2d(2, stride=2)":
                    torch.nn.functional.max_pool2d(inner, 2),
                "the ReLU is missing: BN, ReLU, 1x1 convolution, average pool":
                    torch.nn.functional.avg_pool2d(helpers.conv(helpers.batch_norm(x, state, "norm"), state, "conv",
                                                                padding=0), 2),
                "the 1x1 convolution has stride 2 instead of the 2x2 average pool": inner[:, :, ::2, ::2],
            }
        check.close(transition(x), helpers.shared.output_with(r, state, x),
                    f"Transition(6, 4)'s output for {tuple(x.shape)}", **tol, mistakes=mistakes)


@pytest.mark.points(1)
@pytest.mark.judges("DenseNet")
def test_densenet(sub, worker, device, rng):
    """DenseNet() holds its blocks and transitions with the right channel counts, and its forward gives the logits"""
    tol = check.full_precision(worker, device)
    model = helpers.build_densenet(worker, sub, "DenseNet()", DEFAULTS)
    blocks, transitions, state = helpers.with_stand_ins(worker, model, "DenseNet()", DEFAULTS, rng)
    x = helpers.shared.normal(rng, 2, 1, 28, 28)
    check.close(check.call("DenseNet().forward (with stand-in blocks and transitions)", model, x),
                helpers.densenet_forward(blocks, transitions, state, x),
                "DenseNet()'s logits for (2, 1, 28, 28), with stand-in blocks and transitions built by the check",
                **tol, mistakes={
                    "the final BN-ReLU before the global pooling is missing":
                        helpers.densenet_forward(blocks, transitions, state, x, final=False),
                    "the global pooling takes the maximum; DenseNet averages (F.adaptive_avg_pool2d)":
                        helpers.densenet_forward(blocks, transitions, state, x,
                                                 pool=torch.nn.functional.adaptive_max_pool2d)})


@pytest.mark.points(1)
@pytest.mark.judges("count_parameters")
def test_count_parameters(sub, worker):
    """count_parameters counts the trainable parameters of any model: not the buffers, not frozen weights"""
    nn = worker.import_module("torch.nn")
    local = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=False), torch.nn.BatchNorm2d(4), torch.nn.Flatten(),
                                torch.nn.Linear(36, 5), torch.nn.Linear(5, 2))
    remote = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(36, 5),
                           nn.Linear(5, 2))
    trainable = sum(p.numel() for p in local.parameters())
    what = "count_parameters(Sequential(Conv2d(3, 4, 3), BatchNorm2d(4), Flatten(), Linear(36, 5), Linear(5, 2)))"
    check.close(check.call(what, sub.count_parameters, remote), trainable, what, mistakes={
        "the buffers are counted too (running_mean, running_var, ...): count model.parameters()":
            sum(v.numel() for v in local.state_dict().values())})
    check.call("model[4].requires_grad_(False)", remote[4].requires_grad_, False)
    frozen = trainable - sum(p.numel() for p in local[4].parameters())
    check.close(check.call(f"{what} with its last Linear frozen", sub.count_parameters, remote), frozen,
                f"{what} with its last Linear frozen (requires_grad False)",
                mistakes={"frozen parameters are counted: count only those with requires_grad": trainable})
