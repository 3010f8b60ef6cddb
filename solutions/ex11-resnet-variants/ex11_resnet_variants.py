"""Lecture 11, exercise 11-1: the course's residual block and the residual units of He et al.,
"Identity Mappings in Deep Residual Networks" (ECCV 2016, arXiv:1603.05027) (reference solution).

A residual unit computes ``x_{l+1} = f(h(x_l) + F(x_l))``: a *residual branch* ``F`` (two 3x3
convolutions with batch normalisation and ReLU), a *shortcut* ``h`` and an after-addition
activation ``f``. The paper varies both:

- the shortcut (its Figure 2): identity ``h(x) = x`` (the original unit), constant scaling
  ``0.5 x`` (with ``F`` scaled by 0.5 too), exclusive gating ``(1 - g(x)) * x`` (with ``F``
  scaled by ``g(x)``), shortcut-only gating ``(1 - g(x)) * x``, a 1x1 convolution, and
  dropout; ``g(x) = sigmoid(conv1x1(x))``;
- where the activations go (its Figure 4): BN after the addition, ReLU before the addition,
  ReLU-only pre-activation, and full pre-activation, where ``f`` is the identity and the
  branch starts with BN and ReLU: ``x_{l+1} = x_l + F(x_l)``.

Its finding: the identity shortcut with nothing after the addition (full pre-activation)
lets information pass unchanged through the whole network, and trains best; every
scaling, gating or convolution on the shortcut hinders it.

Every unit keeps the channel count and the spatial size, so ``unit(x).shape == x.shape``.
The modules are written in the style of torchvision's ``resnet.py``: layers created in
``__init__``, ``forward`` in stanzas that follow the paper's figures, ``identity`` kept
aside for the addition. All units have the same four layers ``conv1, bn1, conv2, bn2``
(3x3 convolutions without bias), so the same ``state_dict`` fits all of them; the gating
units add ``gate``, the 1x1 convolution unit ``shortcut`` and the dropout unit ``dropout``.
``make_unit(name, channels)`` builds a unit by its name in ``UNITS``, and ``ResidualNet`` is
the course's MNIST network (99.01 % in the course) with any unit in place of its blocks.
"""

import torch
import torch.nn.functional as F
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
        y = F.relu(self.conv1(x))
        y = self.conv2(y)
        return F.relu(x + y)


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
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        out = self.relu(out)
        return out


class ConstantScalingUnit(ResidualUnit):
    """Fig. 2(b): ``relu(0.5 * x + 0.5 * F(x))``."""

    scale = 0.5

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = self.scale * out + self.scale * identity
        out = self.relu(out)
        return out


class ExclusiveGatingUnit(ResidualUnit):
    """Fig. 2(c): ``relu((1 - g(x)) * x + g(x) * F(x))`` with ``g(x) = sigmoid(gate(x))``."""

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.gate = conv1x1(channels, channels, bias=True)

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        g = torch.sigmoid(self.gate(x))

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = g * out + (1 - g) * identity
        out = self.relu(out)
        return out


class ShortcutOnlyGatingUnit(ResidualUnit):
    """Fig. 2(d): ``relu((1 - g(x)) * x + F(x))`` with ``g(x) = sigmoid(gate(x))``."""

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.gate = conv1x1(channels, channels, bias=True)

    def forward(self, x: Tensor) -> Tensor:
        identity = x
        g = torch.sigmoid(self.gate(x))

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + (1 - g) * identity
        out = self.relu(out)
        return out


class ConvShortcutUnit(ResidualUnit):
    """Fig. 2(e): ``relu(shortcut(x) + F(x))`` with a 1x1 convolution as the shortcut."""

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.shortcut = conv1x1(channels, channels)

    def forward(self, x: Tensor) -> Tensor:
        identity = self.shortcut(x)

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        out = self.relu(out)
        return out


class DropoutShortcutUnit(ResidualUnit):
    """Fig. 2(f): ``relu(dropout(x) + F(x))``, dropout with p = 0.5 on the shortcut.

    ``nn.Dropout`` zeroes each element with probability 0.5 in training mode and doubles
    the others; in eval mode it is the identity.
    """

    def __init__(self, channels: int) -> None:
        super().__init__(channels)
        self.dropout = nn.Dropout(p=0.5)

    def forward(self, x: Tensor) -> Tensor:
        identity = self.dropout(x)

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        out = self.relu(out)
        return out


class BNAfterAdditionUnit(ResidualUnit):
    """Fig. 4(b): ``relu(bn2(x + F(x)))``, ``F`` = conv-BN-ReLU-conv; ``bn2`` normalises the sum."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)

        out = out + identity
        out = self.bn2(out)
        out = self.relu(out)
        return out


class ReLUBeforeAdditionUnit(ResidualUnit):
    """Fig. 4(c): ``x + relu(F(x))``, ``F`` = conv-BN-ReLU-conv-BN; nothing after the addition."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)

        out = self.conv2(out)
        out = self.bn2(out)
        out = self.relu(out)

        out = out + identity
        return out


class ReLUOnlyPreActivationUnit(ResidualUnit):
    """Fig. 4(d): ``x + F(x)``, ``F`` = ReLU-conv-BN-ReLU-conv-BN (the ReLU moved before the convolutions)."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.relu(x)
        out = self.conv1(out)
        out = self.bn1(out)

        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)

        out = out + identity
        return out


class FullPreActivationUnit(ResidualUnit):
    """Fig. 4(e): ``x + F(x)``, ``F`` = BN-ReLU-conv-BN-ReLU-conv; the paper's proposed unit."""

    def forward(self, x: Tensor) -> Tensor:
        identity = x

        out = self.bn1(x)
        out = self.relu(out)
        out = self.conv1(out)

        out = self.bn2(out)
        out = self.relu(out)
        out = self.conv2(out)

        out = out + identity
        return out


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
    if name not in UNITS:
        raise ValueError(f"unknown residual unit {name!r}; choose one of {', '.join(UNITS)}")
    return UNITS[name](channels)


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
        in_size = x.size(0)
        x = self.mp(F.relu(self.conv1(x)))  # (N, 16, 12, 12)
        x = self.rblock1(x)
        x = self.mp(F.relu(self.conv2(x)))  # (N, 32, 4, 4)
        x = self.rblock2(x)
        x = x.view(in_size, -1)  # (N, 512)
        return self.fc(x)


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
