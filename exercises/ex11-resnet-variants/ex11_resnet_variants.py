"""Lecture 11, exercise 11-1: the course's residual block and the residual units of He et al.,
"Identity Mappings in Deep Residual Networks" (ECCV 2016, arXiv:1603.05027).

Read the paper's Figures 2 and 4, then write the ``forward`` of every unit below. A residual
unit computes ``x_{l+1} = f(h(x_l) + F(x_l))``: a residual branch ``F`` (two 3x3
convolutions with batch normalisation and ReLU), a shortcut ``h`` and an activation ``f``
after the addition. The layers are already created in each ``__init__`` and their
attribute names are fixed (the checks load the reference's weights into your units by
name): every unit has ``conv1, bn1, conv2, bn2`` and ``relu``; the gating units add
``gate`` (a 1x1 convolution with bias, ``g(x) = sigmoid(gate(x))``), the 1x1-convolution
unit ``shortcut`` and the dropout unit ``dropout`` (``nn.Dropout(p=0.5)``). Do not rename or
add layers, and do not modify ``x`` in place.

The units and their names in ``UNITS`` (``F`` is conv-BN-ReLU-conv-BN unless stated):

==========================  ===========  ==============================================
name                        figure       output
==========================  ===========  ==============================================
``course``                  (lecture)    ``relu(x + conv2(relu(conv1(x))))``
``original``                2(a), 4(a)   ``relu(x + F(x))``
``constant_scaling``        2(b)         ``relu(0.5 * x + 0.5 * F(x))``
``exclusive_gating``        2(c)         ``relu((1 - g(x)) * x + g(x) * F(x))``
``shortcut_only_gating``    2(d)         ``relu((1 - g(x)) * x + F(x))``
``conv_shortcut``           2(e)         ``relu(shortcut(x) + F(x))``
``dropout_shortcut``        2(f)         ``relu(dropout(x) + F(x))``
``bn_after_addition``       4(b)         ``relu(bn2(x + conv2(relu(bn1(conv1(x))))))``
``relu_before_addition``    4(c)         ``x + relu(F(x))``
``relu_only_preactivation`` 4(d)         ``x + bn2(conv2(relu(bn1(conv1(relu(x))))))``
``full_preactivation``      4(e)         ``x + conv2(relu(bn2(conv1(relu(bn1(x))))))``
==========================  ===========  ==============================================

Write each ``forward`` in stanzas that follow the figure, as torchvision's ``resnet.py``
does: keep ``identity`` (the shortcut) aside, run the branch layer by layer, then add and
apply what comes after the addition. Every unit keeps the shape: ``unit(x).shape == x.shape``.

Also implement:

- ``make_unit(name, channels)``: a new unit of the class ``UNITS[name]``; an unknown name
  raises ``ValueError`` that lists the known names.
- ``ResidualNet(unit="course").forward``: the course's MNIST network with two units of the
  kind ``unit``: conv1 (1->16, 5x5) -> relu -> max-pool -> rblock1 -> conv2 (16->32, 5x5) ->
  relu -> max-pool -> rblock2 -> flatten (512) -> fc (10 logits). The course reaches 99.01 %.
  Its ``__init__`` (given) builds the two units with your ``make_unit``.

The checks look at behaviour: with the branch's last layer zeroed a unit must output exactly
its shortcut (``relu(x)``, ``relu(0.5 * x)``, a gated ``x``, ... or ``x`` itself for the units
with nothing after the addition); units that end with a ReLU never output negative values,
the others can; gradients reach the input; with the reference's weights (in eval mode) every
unit gives the reference's output.
"""

import torch
import torch.nn.functional as F  # noqa: F401  (for F.relu in your forwards)
from torch import Tensor, nn

BATCH_SIZE = 64
LEARNING_RATE = 0.01
MOMENTUM = 0.5
EPOCHS = 10


def conv3x3(in_planes: int, out_planes: int) -> nn.Conv2d:
    """3x3 convolution with padding 1 (keeps H and W), without bias: a BN follows or precedes it."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, bias: bool = False) -> nn.Conv2d:
    """1x1 convolution."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, bias=bias)


class ResidualBlock(nn.Module):
    """The course's residual block: ``relu(x + conv2(relu(conv1(x))))``, 3x3 convolutions with bias."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        # TODO: relu(x + conv2(relu(conv1(x))))
        raise NotImplementedError("ResidualBlock.forward")


class ResidualUnit(nn.Module):
    """The layers every unit of He et al. (2016) has: ``conv1, bn1, conv2, bn2`` and a ReLU.

    Subclasses add what their shortcut needs and define ``forward``.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.channels = channels
        self.conv1 = conv3x3(channels, channels)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = conv3x3(channels, channels)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()  # not in-place: pre-activation units must not overwrite their input


class OriginalUnit(ResidualUnit):
    """Fig. 2(a) and 4(a): ``relu(x + F(x))``, ``F`` = conv-BN-ReLU-conv-BN."""

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("OriginalUnit.forward")


class ConstantScalingUnit(ResidualUnit):
    """Fig. 2(b): ``relu(0.5 * x + 0.5 * F(x))``."""

    scale = 0.5

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("ConstantScalingUnit.forward")


class ExclusiveGatingUnit(ResidualUnit):
    """Fig. 2(c): ``relu((1 - g(x)) * x + g(x) * F(x))`` with ``g(x) = sigmoid(gate(x))``."""

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.gate = conv1x1(channels, channels, bias=True)

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("ExclusiveGatingUnit.forward")


class ShortcutOnlyGatingUnit(ResidualUnit):
    """Fig. 2(d): ``relu((1 - g(x)) * x + F(x))`` with ``g(x) = sigmoid(gate(x))``."""

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.gate = conv1x1(channels, channels, bias=True)

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("ShortcutOnlyGatingUnit.forward")


class ConvShortcutUnit(ResidualUnit):
    """Fig. 2(e): ``relu(shortcut(x) + F(x))`` with a 1x1 convolution as the shortcut."""

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.shortcut = conv1x1(channels, channels)

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("ConvShortcutUnit.forward")


class DropoutShortcutUnit(ResidualUnit):
    """Fig. 2(f): ``relu(dropout(x) + F(x))``, dropout with p = 0.5 on the shortcut.

    ``nn.Dropout`` zeroes each element with probability 0.5 in training mode and doubles
    the others; in eval mode it is the identity.
    """

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.dropout = nn.Dropout(p=0.5)

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("DropoutShortcutUnit.forward")


class BNAfterAdditionUnit(ResidualUnit):
    """Fig. 4(b): ``relu(bn2(x + F(x)))``, ``F`` = conv-BN-ReLU-conv; ``bn2`` normalises the sum."""

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("BNAfterAdditionUnit.forward")


class ReLUBeforeAdditionUnit(ResidualUnit):
    """Fig. 4(c): ``x + relu(F(x))``, ``F`` = conv-BN-ReLU-conv-BN; nothing after the addition."""

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("ReLUBeforeAdditionUnit.forward")


class ReLUOnlyPreActivationUnit(ResidualUnit):
    """Fig. 4(d): ``x + F(x)``, ``F`` = ReLU-conv-BN-ReLU-conv-BN (the ReLU moved before the convolutions)."""

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("ReLUOnlyPreActivationUnit.forward")


class FullPreActivationUnit(ResidualUnit):
    """Fig. 4(e): ``x + F(x)``, ``F`` = BN-ReLU-conv-BN-ReLU-conv; the paper's proposed unit."""

    def forward(self, x: Tensor) -> Tensor:
        # TODO: the stanzas of the figure; see the class docstring.
        raise NotImplementedError("FullPreActivationUnit.forward")


UNITS = {
    "course": ResidualBlock,
    "original": OriginalUnit,
    "constant_scaling": ConstantScalingUnit,
    "exclusive_gating": ExclusiveGatingUnit,
    "shortcut_only_gating": ShortcutOnlyGatingUnit,
    "conv_shortcut": ConvShortcutUnit,
    "dropout_shortcut": DropoutShortcutUnit,
    "bn_after_addition": BNAfterAdditionUnit,
    "relu_before_addition": ReLUBeforeAdditionUnit,
    "relu_only_preactivation": ReLUOnlyPreActivationUnit,
    "full_preactivation": FullPreActivationUnit,
}


def make_unit(name: str, channels: int) -> nn.Module:
    """The unit called ``name`` in ``UNITS`` for ``channels`` channels; ``ValueError`` for an unknown name."""
    # TODO: look the class up in UNITS; raise ValueError naming the known units otherwise.
    raise NotImplementedError("make_unit")


class ResidualNet(nn.Module):
    """The course's MNIST network with two residual units of the kind ``unit``; (N, 1, 28, 28) -> (N, 10)."""

    def __init__(self, unit: str = "course") -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)
        self.rblock1 = make_unit(unit, 16)
        self.rblock2 = make_unit(unit, 32)
        self.fc = nn.Linear(512, 10)

    def forward(self, x: Tensor) -> Tensor:
        # TODO: conv1 -> relu -> mp -> rblock1 -> conv2 -> relu -> mp -> rblock2 -> flatten -> fc
        raise NotImplementedError("ResidualNet.forward")


if __name__ == "__main__":
    import time

    from torch.utils.data import DataLoader, TensorDataset

    from pttutor.datasets import mnist

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    # The shared course data has only the 10k test images: train on 8,000, test on 2,000.
    images, labels = mnist.tensors("test")
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    train = DataLoader(TensorDataset(images[order[:8000]], labels[order[:8000]]), batch_size=BATCH_SIZE, shuffle=True)
    test = DataLoader(TensorDataset(images[order[8000:]], labels[order[8000:]]), batch_size=1000)
    criterion = nn.CrossEntropyLoss()
    for name in ("course", "original", "full_preactivation"):
        torch.manual_seed(0)
        model = ResidualNet(name).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
        started = time.perf_counter()
        for epoch in range(3):
            model.train()
            for inputs, targets in train:
                inputs, targets = inputs.to(device), targets.to(device)
                optimizer.zero_grad()
                criterion(model(inputs), targets).backward()
                optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x.to(device)).argmax(1) == y.to(device)).sum().item() for x, y in test)
        print(f"{name:20s} {100 * correct / 2000:.2f} % after 3 epochs, {time.perf_counter() - started:.0f} s")
