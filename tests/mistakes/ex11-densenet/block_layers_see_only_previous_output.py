# fails: dense_block_matches_reference, densenet_matches_reference
"""Lecture 11, exercise 11-2: DenseNet, after Huang, Liu, van der Maaten and Weinberger,
"Densely Connected Convolutional Networks" (CVPR 2017, arXiv:1608.06993) (reference solution).

In a dense block every layer receives the feature maps of *all* the layers before it,
concatenated along the channels, and adds ``growth_rate`` new maps of its own: the block's
output is its input followed by every layer's new features, ``in_channels + num_layers *
growth_rate`` channels, and its first ``in_channels`` channels are the input unchanged.
Layers are "pre-activation" composite functions BN-ReLU-Conv(3x3); with the bottleneck
(DenseNet-B) a BN-ReLU-Conv(1x1) to ``bn_size * growth_rate`` channels comes first. Between
blocks, a transition (BN-ReLU-Conv(1x1)-AvgPool(2x2)) halves the height and width and, with
compression (DenseNet-C), the number of channels. The small network here is a DenseNet-BC
for 28x28 (MNIST) or 32x32 (CIFAR-10) images: a 3x3 stem convolution, three dense blocks
joined by two transitions (28 -> 14 -> 7, or 32 -> 16 -> 8), then BN-ReLU, global average
pooling and a linear classifier.

The modules follow torchvision's ``densenet.py``: typed layers created in ``__init__`` and
``forward`` written in stanzas, one per composite function.
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

BATCH_SIZE = 64
LEARNING_RATE = 0.1
MOMENTUM = 0.9
EPOCHS = 3
# DenseNet() with its defaults has 102,298 parameters for one input channel (102,730 for three);
# the checks accept any count in PARAMETER_RANGE.
PARAMETER_RANGE = (80_000, 130_000)


class DenseLayer(nn.Module):
    """BN-ReLU-Conv(3x3) giving ``growth_rate`` new feature maps, with an optional 1x1 bottleneck.

    Without bottleneck: ``norm1`` (BN of ``in_channels``), ``conv1`` (3x3, ``in_channels ->
    growth_rate``, padding 1). With ``bottleneck=True``: ``norm1``, ``conv1`` (1x1, ``in_channels
    -> bn_size * growth_rate``), ``norm2``, ``conv2`` (3x3, ``-> growth_rate``, padding 1). No
    convolution has a bias. The output has ``growth_rate`` channels and the input's H and W.
    """

    def __init__(self, in_channels: int, growth_rate: int, bottleneck: bool = False, bn_size: int = 4) -> None:
        super().__init__()
        self.bottleneck = bottleneck
        if bottleneck:
            inter_channels = bn_size * growth_rate
            self.norm1 = nn.BatchNorm2d(in_channels)
            self.conv1 = nn.Conv2d(in_channels, inter_channels, kernel_size=1, bias=False)
            self.norm2 = nn.BatchNorm2d(inter_channels)
            self.conv2 = nn.Conv2d(inter_channels, growth_rate, kernel_size=3, padding=1, bias=False)
        else:
            self.norm1 = nn.BatchNorm2d(in_channels)
            self.conv1 = nn.Conv2d(in_channels, growth_rate, kernel_size=3, padding=1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        out = self.norm1(x)
        out = F.relu(out)
        out = self.conv1(out)

        if self.bottleneck:
            out = self.norm2(out)
            out = F.relu(out)
            out = self.conv2(out)

        return out


class DenseBlock(nn.Module):
    """``num_layers`` dense layers; layer i sees ``in_channels + i * growth_rate`` channels.

    ``layers`` is an ``nn.ModuleList``. The output is the concatenation of the input and every
    layer's new features: ``in_channels + num_layers * growth_rate`` channels.
    """

    def __init__(self, num_layers: int, in_channels: int, growth_rate: int, bottleneck: bool = False,
                 bn_size: int = 4) -> None:
        super().__init__()
        self.layers = nn.ModuleList(
            DenseLayer(in_channels if i == 0 else growth_rate, growth_rate, bottleneck, bn_size)
            for i in range(num_layers)
        )

    def forward(self, x: Tensor) -> Tensor:
        features = [x]
        out = x
        for layer in self.layers:
            out = layer(out)
            features.append(out)
        return torch.cat(features, dim=1)


class Transition(nn.Module):
    """BN-ReLU-Conv(1x1)-AvgPool(2x2): ``in_channels -> out_channels``, H and W halved (rounded down)."""

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        self.norm = nn.BatchNorm2d(in_channels)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size=1, bias=False)
        self.pool = nn.AvgPool2d(kernel_size=2, stride=2)

    def forward(self, x: Tensor) -> Tensor:
        out = self.norm(x)
        out = F.relu(out)
        out = self.conv(out)
        out = self.pool(out)
        return out


class DenseNet(nn.Module):
    """A small DenseNet-BC for 28x28 or 32x32 images with ``num_classes`` outputs.

    ``conv0`` (3x3, ``in_channels -> 2 * growth_rate``, padding 1, no bias), then for each entry
    of ``block_config`` a ``DenseBlock`` in ``blocks`` and, between blocks, a ``Transition`` in
    ``transitions`` that keeps ``int(compression * channels)`` channels; then ``norm`` (BN),
    ReLU, global average pooling and ``classifier`` (Linear).
    """

    def __init__(self, growth_rate: int = 12, block_config: tuple[int, ...] = (4, 4, 4), bottleneck: bool = True,
                 bn_size: int = 4, compression: float = 0.5, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        channels = 2 * growth_rate
        self.conv0 = nn.Conv2d(in_channels, channels, kernel_size=3, padding=1, bias=False)
        self.blocks = nn.ModuleList()
        self.transitions = nn.ModuleList()
        for i, num_layers in enumerate(block_config):
            self.blocks.append(DenseBlock(num_layers, channels, growth_rate, bottleneck, bn_size))
            channels += num_layers * growth_rate
            if i < len(block_config) - 1:
                out_channels = int(compression * channels)
                self.transitions.append(Transition(channels, out_channels))
                channels = out_channels
        self.norm = nn.BatchNorm2d(channels)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        out = self.conv0(x)

        for i, block in enumerate(self.blocks):
            out = block(out)
            if i < len(self.transitions):
                out = self.transitions[i](out)

        out = self.norm(out)
        out = F.relu(out)
        out = F.adaptive_avg_pool2d(out, 1)
        out = torch.flatten(out, 1)
        return self.classifier(out)


def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


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
