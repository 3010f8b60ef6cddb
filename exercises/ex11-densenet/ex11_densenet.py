"""Lecture 11, exercise 11-2: DenseNet, after Huang, Liu, van der Maaten and Weinberger,
"Densely Connected Convolutional Networks" (CVPR 2017, arXiv:1608.06993).

Read the paper (sections 3 and 4, Figure 2 and Table 1), then build its parts in the style of
torchvision's ``densenet.py``: layers created in ``__init__`` under the attribute names given
below (the checks load the reference's weights into your modules by name), and ``forward``
written in stanzas, one per composite function. No convolution has a bias (a batch norm
follows it).

- ``DenseLayer(in_channels, growth_rate, bottleneck=False, bn_size=4)``: the composite
  function BN-ReLU-Conv. Without bottleneck: ``norm1 = BatchNorm2d(in_channels)``, ``conv1 =
  Conv2d(in_channels, growth_rate, 3, padding=1)``. With ``bottleneck=True`` (DenseNet-B):
  ``norm1``, ``conv1 = Conv2d(in_channels, bn_size * growth_rate, 1)``, ``norm2 =
  BatchNorm2d(bn_size * growth_rate)``, ``conv2 = Conv2d(bn_size * growth_rate, growth_rate,
  3, padding=1)``, i.e. BN-ReLU-Conv(1x1)-BN-ReLU-Conv(3x3). It returns only the
  ``growth_rate`` new feature maps, with the input's height and width.
- ``DenseBlock(num_layers, in_channels, growth_rate, bottleneck=False, bn_size=4)``:
  ``layers`` is an ``nn.ModuleList`` of ``num_layers`` dense layers; layer ``i`` receives the
  concatenation (``torch.cat(..., dim=1)``) of the block's input and the new features of
  layers ``0 .. i-1``, so it has ``in_channels + i * growth_rate`` input channels. The block
  returns the input followed by all new features: ``in_channels + num_layers *
  growth_rate`` channels, the first ``in_channels`` of them equal to the input.
- ``Transition(in_channels, out_channels)``: ``norm = BatchNorm2d(in_channels)``, ReLU,
  ``conv = Conv2d(in_channels, out_channels, 1)``, ``pool = AvgPool2d(2, stride=2)``: it
  halves the height and the width (rounding down).
- ``DenseNet(growth_rate=12, block_config=(4, 4, 4), bottleneck=True, bn_size=4,
  compression=0.5, in_channels=1, num_classes=10)``: a small DenseNet-BC for 28x28 (MNIST,
  ``in_channels=1``) or 32x32 (CIFAR-10, ``in_channels=3``) images. ``conv0 =
  Conv2d(in_channels, 2 * growth_rate, 3, padding=1)``; then, for each entry of
  ``block_config``, a ``DenseBlock`` appended to the ``nn.ModuleList`` ``blocks``, and between
  two blocks a ``Transition`` appended to ``transitions`` that keeps ``int(compression *
  channels)`` channels; then ``norm = BatchNorm2d(channels)``, ReLU, global average pooling
  (``F.adaptive_avg_pool2d(out, 1)``), flatten and ``classifier = Linear(channels,
  num_classes)``. Output: ``(N, num_classes)`` logits. With the defaults it must have between
  ``PARAMETER_RANGE[0]`` and ``PARAMETER_RANGE[1]`` trainable parameters (80,000 to 130,000;
  the reference has 102,298).
- ``count_parameters(model) -> int``: the number of trainable parameters.
"""

import torch
import torch.nn.functional as F  # noqa: F401  (for F.relu in your forwards)
from torch import Tensor, nn

BATCH_SIZE = 64
LEARNING_RATE = 0.1
MOMENTUM = 0.9
EPOCHS = 3
PARAMETER_RANGE = (80_000, 130_000)


class DenseLayer(nn.Module):
    """BN-ReLU-Conv(3x3) giving ``growth_rate`` new feature maps, with an optional 1x1 bottleneck."""

    def __init__(self, in_channels: int, growth_rate: int, bottleneck: bool = False, bn_size: int = 4) -> None:
        super().__init__()
        # TODO: norm1, conv1 (and norm2, conv2 with the bottleneck); remember `bottleneck`.
        raise NotImplementedError("DenseLayer.__init__")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: BN-ReLU-Conv (twice with the bottleneck); return only the new feature maps.
        raise NotImplementedError("DenseLayer.forward")


class DenseBlock(nn.Module):
    """``num_layers`` dense layers; the output is the input followed by every layer's new features."""

    def __init__(self, num_layers: int, in_channels: int, growth_rate: int, bottleneck: bool = False,
                 bn_size: int = 4) -> None:
        super().__init__()
        # TODO: self.layers = nn.ModuleList(...), layer i with in_channels + i * growth_rate inputs.
        raise NotImplementedError("DenseBlock.__init__")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: keep a list of feature maps; feed each layer their concatenation.
        raise NotImplementedError("DenseBlock.forward")


class Transition(nn.Module):
    """BN-ReLU-Conv(1x1)-AvgPool(2x2): ``in_channels -> out_channels``, H and W halved."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        # TODO: norm, conv, pool
        raise NotImplementedError("Transition.__init__")

    def forward(self, x: Tensor) -> Tensor:
        # TODO
        raise NotImplementedError("Transition.forward")


class DenseNet(nn.Module):
    """A small DenseNet-BC for 28x28 or 32x32 images with ``num_classes`` outputs."""

    def __init__(self, growth_rate: int = 12, block_config: tuple[int, ...] = (4, 4, 4), bottleneck: bool = True,
                 bn_size: int = 4, compression: float = 0.5, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        # TODO: conv0, blocks, transitions, norm, classifier; follow the channel count as you go.
        raise NotImplementedError("DenseNet.__init__")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: conv0, then block / transition stanzas, then norm, ReLU, pooling, classifier.
        raise NotImplementedError("DenseNet.forward")


def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters of ``model``."""
    # TODO
    raise NotImplementedError("count_parameters")


if __name__ == "__main__":
    import time

    from torch.utils.data import DataLoader, TensorDataset

    from pttutor.datasets import mnist

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    # The shared course data has only the 10k test images: train on 8,000, test on 2,000.
    images, labels = mnist.tensors("test")
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    train = DataLoader(TensorDataset(images[order[:8000]], labels[order[:8000]]), batch_size=BATCH_SIZE, shuffle=True)
    test = DataLoader(TensorDataset(images[order[8000:]], labels[order[8000:]]), batch_size=500)
    torch.manual_seed(0)
    model = DenseNet().to(device)
    print(f"DenseNet: {count_parameters(model)} parameters")
    optimizer = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE, momentum=MOMENTUM)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(EPOCHS):
        started = time.perf_counter()
        model.train()
        for inputs, targets in train:
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            criterion(model(inputs), targets).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(x.to(device)).argmax(1) == y.to(device)).sum().item() for x, y in test)
        print(f"epoch {epoch + 1}: {100 * correct / 2000:.2f} %, {time.perf_counter() - started:.0f} s")
