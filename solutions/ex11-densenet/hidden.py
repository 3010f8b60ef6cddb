"""Hidden checks for ex11-densenet: every part against the reference with the reference's
weights and batch-norm statistics drawn at grading time (eval mode), gradients to the input,
and the whole network in training mode.
"""

import pytest
import torch
import torch.nn.functional as F

from pttutor.grader import check

pytestmark = pytest.mark.hidden



def randomize(module, rng):
    """Random weights and batch-norm statistics, so that every layer matters; returns the module in eval mode."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(0.0, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.3)
    return module.eval()


def loaded(student, reference, what, hint=""):
    check.same_layout(student, reference.state_dict(), what, hint)
    student.load_state_dict(reference.state_dict())
    student.eval()
    return student


# ---------------------------------------------------------------- checks


@pytest.mark.points(1)
def test_dense_layer_matches_reference(sub, ref, worker, device, rng):
    """with the reference's weights, a DenseLayer computes BN-ReLU-Conv (twice, 1x1 then 3x3, with the bottleneck)"""
    tol = check.full_precision(worker, device)
    x = torch.randn(2, 6, 5, 7)
    for bottleneck in (False, True):
        call = f"DenseLayer(6, growth_rate=4, bottleneck={bottleneck})"
        r = randomize(ref.DenseLayer(6, 4, bottleneck=bottleneck), rng)
        layer = loaded(sub.DenseLayer(6, 4, bottleneck=bottleneck), r, call,
                       "the layer is pre-activation: BN-ReLU-Conv, so norm1 normalises the in_channels inputs")
        with torch.no_grad():
            expected = r(x)
            if bottleneck:
                no_relu = r.conv2(r.norm2(r.conv1(r.norm1(x))))
                relu_first = r.conv2(r.norm2(F.relu(r.conv1(r.norm1(F.relu(x))))))
                no_second = r.conv2(r.conv1(F.relu(r.norm1(x))))
            else:
                no_relu = r.conv1(r.norm1(x))
                relu_first = r.conv1(r.norm1(F.relu(x)))
        mistakes = {"the ReLU is missing: each composite function is BN, then ReLU, then the convolution": no_relu,
                    "the ReLU comes before the BN; the order is BN, ReLU, convolution": relu_first}
        if bottleneck:
            mistakes["the bottleneck's second BN-ReLU (norm2, ReLU before conv2) is missing"] = no_second
        check.close(layer(x), expected, f"{call}'s output", **tol, mistakes=mistakes)


@pytest.mark.points(1)
def test_dense_block_matches_reference(sub, ref, worker, device, rng):
    """with the reference's weights, a DenseBlock gives the reference's output, and gradients reach its input"""
    tol = check.full_precision(worker, device)
    functional = worker.import_module("torch.autograd.functional")
    for num_layers, bottleneck in ((3, False), (2, True)):
        call = f"DenseBlock({num_layers}, in_channels=4, growth_rate=3, bottleneck={bottleneck})"
        r = randomize(ref.DenseBlock(num_layers, 4, 3, bottleneck=bottleneck), rng)
        block = loaded(sub.DenseBlock(num_layers, 4, 3, bottleneck=bottleneck), r, call,
                       "layer i of the block takes in_channels + i * growth_rate channels (all the maps before it)")
        x = torch.randn(2, 4, 6, 5)
        v = torch.randn(2, 4 + num_layers * 3, 6, 5)
        expected_out, expected_grad = torch.autograd.functional.vjp(r, x, v)
        check.close(block(x), expected_out, f"{call}'s output", **tol)
        result = functional.vjp(block, x, v)
        check.that(type(result) is tuple and len(result) == 2,
                    f"autograd could not differentiate {call}; got {check.describe(result)}")
        check.close(result[0], expected_out, f"{call}'s output", **tol)
        check.close(result[1], expected_grad, f"the gradient of sum(v * block(x)) with respect to x for {call}",
                     **tol)


@pytest.mark.points(1)
def test_transition_matches_reference(sub, ref, worker, device, rng):
    """with the reference's weights, a Transition computes BN-ReLU-Conv1x1 then a 2x2 average pool"""
    tol = check.full_precision(worker, device)
    r = randomize(ref.Transition(6, 4), rng)
    transition = loaded(sub.Transition(6, 4), r, "Transition(6, 4)",
                        "BN comes first, so norm normalises the in_channels inputs")
    x = torch.randn(2, 6, 8, 6)
    with torch.no_grad():
        expected = r(x)
        conv = r.conv(F.relu(r.norm(x)))
        mistakes = {
            "it max-pools; a transition averages: nn.AvgPool2d(2, stride=2)": F.max_pool2d(conv, 2),
            "the ReLU is missing: BN, ReLU, 1x1 convolution, average pool": F.avg_pool2d(r.conv(r.norm(x)), 2),
        }
    check.close(transition(x), expected, "Transition(6, 4)'s output", **tol, mistakes=mistakes)


@pytest.mark.points(1)
def test_densenet_matches_reference(sub, ref, worker, device, rng):
    """with the reference's weights, DenseNet gives the reference's logits, with the defaults and another setting"""
    tol = check.full_precision(worker, device)
    configs = [({}, (2, 1, 28, 28)),
               ({"growth_rate": 6, "block_config": (2, 3), "bottleneck": False, "compression": 1.0,
                 "in_channels": 3, "num_classes": 5}, (2, 3, 32, 32))]
    for kwargs, shape in configs:
        call = "DenseNet(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"
        r = randomize(ref.DenseNet(**kwargs), rng)
        model = loaded(sub.DenseNet(**kwargs), r, call)
        x = torch.randn(*shape)
        with torch.no_grad():
            expected = r(x)
            features = r.conv0(x)
            for i, block in enumerate(r.blocks):
                features = block(features)
                if i < len(r.transitions):
                    features = r.transitions[i](features)
            no_final = r.classifier(F.adaptive_avg_pool2d(features, 1).flatten(1))
            max_pooled = r.classifier(F.adaptive_max_pool2d(F.relu(r.norm(features)), 1).flatten(1))
        check.close(model(x), expected, f"{call}'s output", **tol, mistakes={
            "the final BN-ReLU before the global pooling is missing": no_final,
            "the global pooling takes the maximum; DenseNet averages (F.adaptive_avg_pool2d)": max_pooled,
        })


@pytest.mark.points(1)
def test_densenet_in_training_mode(sub, ref, worker, device, rng):
    """in training mode DenseNet's logits, its input gradient and its batch-norm statistics match the reference's"""
    tol = check.full_precision(worker, device)
    kwargs = {"growth_rate": 4, "block_config": (2, 2), "in_channels": 1}
    torch.manual_seed(int(rng.integers(1 << 30)))
    r = ref.DenseNet(**kwargs)
    start = {k: v.clone() for k, v in r.state_dict().items()}
    model = loaded(sub.DenseNet(**kwargs), r, "DenseNet(growth_rate=4, block_config=(2, 2))")
    model.train()
    r.train()
    x = torch.randn(4, 1, 28, 28)
    v = torch.randn(4, 10)
    expected_out, expected_grad = torch.autograd.functional.vjp(r, x, v)
    result = worker.import_module("torch.autograd.functional").vjp(model, x, v)
    check.that(type(result) is tuple and len(result) == 2,
                f"autograd could not differentiate your DenseNet; got {check.describe(result)}")
    check.close(result[0], expected_out, "the output in training mode (batch statistics)", **tol)
    check.close(result[1], expected_grad, "the gradient of sum(v * logits) with respect to the input", **tol)
    state = model.state_dict()
    for key, value in r.state_dict().items():
        if key.endswith("running_mean") and not torch.equal(value, start[key]):
            check.close(state[key], value, f"the running mean {key} after one forward pass in training mode", **tol)
