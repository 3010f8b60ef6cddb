"""Helpers shared by the public and hidden checks of ex11-densenet.

Each part is judged on its own. A dense layer and a transition get the reference's weights
(batch-norm statistics drawn at grading time) and must give the reference's output. A dense
block is built while ``DenseLayer`` is replaced by a recorder (see ``calls_recorded``): it
must build layer i with ``in_channels + i * growth_rate`` inputs and pass ``bottleneck`` and
``bn_size`` on; its ``forward`` then runs with stand-in layers built by the check. The
network is judged the same way, with ``DenseBlock`` and ``Transition`` recorded and replaced
by stand-ins, so no part's points depend on another part.
"""

import inspect

import torch
import torch.nn.functional as F

from pttutor.grader import check

shared = check.common(__file__, "ex11-resnet-variants")
load_layers, calls_recorded, bound_call = shared.load_layers, shared.calls_recorded, shared.bound_call
batch_norm, conv = shared.batch_norm, shared.conv

LAYER_ADVICE = "the layer is pre-activation: BN-ReLU-Conv, so norm1 normalises the in_channels inputs"
BLOCK_ADVICE = "layer i of the block takes in_channels + i * growth_rate channels (all the maps before it)"


def call_text(name, *args, **kwargs):
    """How a message names a call: ``DenseLayer(6, 4, bottleneck=True)``."""
    return f"{name}(" + ", ".join([*map(repr, args), *(f"{k}={v!r}" for k, v in kwargs.items())]) + ")"


def reference_state(module, rng):
    """The weights of a reference module, with its batch norms' statistics drawn from ``rng``."""
    return shared.random_batch_norm(module.state_dict(), rng)


def student_module(cls, name, args, kwargs, state, advice=""):
    """The student's ``name(*args, **kwargs)`` with the weights ``state`` loaded, in eval mode."""
    what = call_text(name, *args, **kwargs)
    module = check.call(what, cls, *args, **kwargs)
    load_layers(module, state, what, advice or "keep the layer names the stub gives")
    check.call(f"{what}.eval()", module.eval)
    return module


LAYER = inspect.signature(lambda in_channels, growth_rate, bottleneck=False, bn_size=4: None)
BLOCK = inspect.signature(lambda num_layers, in_channels, growth_rate, bottleneck=False, bn_size=4: None)
TRANSITION = inspect.signature(lambda in_channels, out_channels: None)


def built_with(calls, signature, name, wanted, what, why):
    """The recorded calls of ``name`` made while ``what`` was built are ``wanted`` (dicts of arguments), in order."""
    got = [bound_call(c, signature, name, what) for c in calls]
    check.that(len(got) == len(wanted), f"{what} should build {len(wanted)} {name}s; it built {len(got)}")
    for i, (have, want) in enumerate(zip(got, wanted)):
        check.that(have == want, f"{what} builds its {name} number {i} as {call_text(name, **have)}; it should be "
                                 f"{call_text(name, **want)} ({why(i)})")


def layer_mistakes(s, x, bottleneck):
    """What the usual mistakes of a dense layer output for the weights ``s`` on ``x`` (eval mode)."""
    relu = F.relu
    with torch.no_grad():
        if bottleneck:
            h = conv(relu(batch_norm(x, s, "norm1")), s, "conv1", padding=0)
            right = conv(relu(batch_norm(h, s, "norm2")), s, "conv2")
            no_relu = conv(batch_norm(conv(batch_norm(x, s, "norm1"), s, "conv1", padding=0), s, "norm2"), s, "conv2")
            relu_first = conv(batch_norm(relu(conv(batch_norm(relu(x), s, "norm1"), s, "conv1", padding=0)), s,
                                         "norm2"), s, "conv2")
        else:
            right = conv(relu(batch_norm(x, s, "norm1")), s, "conv1")
            no_relu = conv(batch_norm(x, s, "norm1"), s, "conv1")
            relu_first = conv(batch_norm(relu(x), s, "norm1"), s, "conv1")
        found = {"the ReLU is missing: each composite function is BN, then ReLU, then the convolution": no_relu,
                 "the ReLU comes before the BN; the order is BN, ReLU, convolution": relu_first,
                 "the layer returns its input and the new features; a dense layer returns only its growth_rate "
                 "new maps (the block concatenates)": torch.cat([x, right], dim=1)}
        if bottleneck:
            found["the bottleneck's second BN-ReLU (norm2, ReLU before conv2) is missing"] = conv(h, s, "conv2")
        return found


def build_block(worker, sub, what, args, kwargs):
    """The student's DenseBlock(*args, **kwargs) built with DenseLayer recorded; returns it and the calls."""
    with calls_recorded(worker, sub, "DenseLayer") as calls:
        return check.call(what, sub.DenseBlock, *args, **kwargs), calls("DenseLayer")


def with_stand_in_layers(worker, block, what, sizes, rng, dtype=torch.float32):
    """The block's layers replaced by convolutions (in, out) built by the check; returns their local twins."""
    local, remote = stand_in_layers(worker, sizes, rng)
    stand_ins = worker.import_module("torch.nn").ModuleList(remote)
    check.call(f"{what}.layers = stand-ins", setattr, block, "layers", stand_ins)
    load_layers(block, {f"layers.{i}.{k}": v.to(dtype) for i, m in enumerate(local) for k, v in m.state_dict().items()},
                what)
    return local


def stand_in_layers(worker, sizes, rng):
    """3x3 convolutions (in, out) built here and, with the same weights, in the worker: stand-ins for layers."""
    torch.manual_seed(int(rng.integers(1 << 30)))
    local = [torch.nn.Conv2d(n_in, n_out, 3, padding=1) for n_in, n_out in sizes]
    nn = worker.import_module("torch.nn")
    remote = [nn.Conv2d(n_in, n_out, 3, padding=1) for n_in, n_out in sizes]
    return local, remote


def block_forward(local_layers, x):
    """A dense block's output with the given layers: the input followed by every layer's new features."""
    features = [x]
    with torch.no_grad():
        for layer in local_layers:
            features.append(layer(torch.cat(features, dim=1)))
    return torch.cat(features, dim=1)


def channel_plan(growth_rate=12, block_config=(4, 4, 4), compression=0.5, **_):
    """The input channels of each block and each transition's (in, out), as the stub's rule gives them."""
    channels, blocks, transitions = 2 * growth_rate, [], []
    for i, num_layers in enumerate(block_config):
        blocks.append(channels)
        channels += num_layers * growth_rate
        if i < len(block_config) - 1:
            transitions.append((channels, int(compression * channels)))
            channels = int(compression * channels)
    return blocks, transitions, channels


def build_densenet(worker, sub, what, settings):
    """The student's DenseNet(**settings), built with DenseBlock and Transition recorded: checks the arguments
    they got and the shapes of conv0, norm and classifier."""
    g, config = settings["growth_rate"], settings["block_config"]
    blocks, transitions, final = channel_plan(**settings)
    with calls_recorded(worker, sub, "DenseBlock", "Transition") as calls:
        model = check.call(what, sub.DenseNet, **settings)
        recorded = {name: calls(name) for name in ("DenseBlock", "Transition")}
    built_with(recorded["DenseBlock"], BLOCK, "DenseBlock",
               [{"num_layers": n, "in_channels": c, "growth_rate": g, "bottleneck": settings["bottleneck"],
                 "bn_size": settings["bn_size"]} for c, n in zip(blocks, config)], what,
               lambda i: "the stem gives 2 * growth_rate channels" if i == 0 else
               f"transition {i - 1} leaves {blocks[i]} channels")
    built_with(recorded["Transition"], TRANSITION, "Transition",
               [{"in_channels": a, "out_channels": b} for a, b in transitions], what,
               lambda i: f"block {i} ends with {transitions[i][0]} channels and the transition keeps "
                         f"int({settings['compression']} * {transitions[i][0]}) = {transitions[i][1]}")
    shapes = {"conv0.weight": (2 * g, settings["in_channels"], 3, 3), "norm.weight": (final,),
              "classifier.weight": (settings["num_classes"], final), "classifier.bias": (settings["num_classes"],)}
    state = check.call(f"{what}.state_dict()", model.state_dict)
    got = {k: tuple(v.shape) for k, v in state.items() if type(v) is torch.Tensor} if type(state) is dict else {}
    wrong = [f"{k} has shape {got.get(k)}, expected {v}" for k, v in shapes.items() if got.get(k) != v]
    check.that(not wrong, f"{what}: " + "; ".join(wrong))
    return model


def with_stand_ins(worker, model, what, settings, rng):
    """Replace the network's blocks and transitions by convolutions built here; returns the local network's
    pieces and its weights, loaded into the student's network too."""
    blocks, transitions, final = channel_plan(**settings)
    sizes = [(c, c + n * settings["growth_rate"]) for c, n in zip(blocks, settings["block_config"])]
    local_blocks, remote_blocks = stand_in_layers(worker, sizes, rng)
    local_transitions, remote_transitions = stand_in_layers(worker, transitions, rng)
    nn = worker.import_module("torch.nn")
    check.call(f"{what}.blocks = stand-ins", setattr, model, "blocks", nn.ModuleList(remote_blocks))
    check.call(f"{what}.transitions = stand-ins", setattr, model, "transitions", nn.ModuleList(remote_transitions))
    torch.manual_seed(int(rng.integers(1 << 30)))
    head = {"conv0": torch.nn.Conv2d(settings["in_channels"], 2 * settings["growth_rate"], 3, padding=1, bias=False),
            "norm": torch.nn.BatchNorm2d(final), "classifier": torch.nn.Linear(final, settings["num_classes"])}
    state = {f"{n}.{k}": v for n, m in head.items() for k, v in m.state_dict().items()}
    state.update({f"blocks.{i}.{k}": v for i, m in enumerate(local_blocks) for k, v in m.state_dict().items()})
    state.update({f"transitions.{i}.{k}": v for i, m in enumerate(local_transitions)
                  for k, v in m.state_dict().items()})
    state = shared.random_batch_norm(state, rng)
    load_layers(model, state, what)
    check.call(f"{what}.eval()", model.eval)
    return local_blocks, local_transitions, state


def densenet_forward(local_blocks, local_transitions, s, x, final=True, pool=F.adaptive_avg_pool2d):
    """The network's logits with the stand-in blocks and transitions (convolutions that keep H and W)."""
    with torch.no_grad():
        out = conv(x, s, "conv0")
        for i, block in enumerate(local_blocks):
            out = block(out)
            if i < len(local_transitions):
                out = local_transitions[i](out)
        if final:
            out = F.relu(batch_norm(out, s, "norm"))
        return F.linear(pool(out, 1).flatten(1), s["classifier.weight"], s["classifier.bias"])
