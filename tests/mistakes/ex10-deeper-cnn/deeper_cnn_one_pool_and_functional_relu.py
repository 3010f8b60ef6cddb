# fails: deeper_cnn_layers
"""Lecture 10, exercise 10-1: a deeper CNN for MNIST, trained and evaluated on any device
(reference solution).

Two networks share one training loop. ``CourseNet`` is the lecture's CNN: two 5x5
convolutions, each followed by a 2x2 max-pool and a ReLU, then one linear layer. The
exercise asks for a deeper one with exactly three ``Conv2d``, three ``ReLU``, three
``MaxPool2d`` and three ``Linear`` layers; ``DeeperNet`` is such a network. Following the
spatial size through it is the whole difficulty:

    input              (N,  1, 28, 28)
    conv1 5x5          (N, 10, 24, 24)   a 5x5 kernel without padding loses 4 pixels
    pool1 2x2          (N, 10, 12, 12)
    conv2 5x5          (N, 20,  8,  8)
    pool2 2x2          (N, 20,  4,  4)
    conv3 3x3, pad 1   (N, 40,  4,  4)   padding 1 keeps the size
    pool3 2x2          (N, 40,  2,  2)
    flatten            (N, 160)
    fc1, fc2, fc3      (N, 128) -> (N, 64) -> (N, 10)

The exercise allows three ReLUs and we put one after each convolution, so the three linear
layers meet without an activation between them: together they compute one affine map (of
rank at most 64). That is a fair price for following the exercise to the letter; moving a
ReLU between fc1 and fc2 is just as valid.

``train_epoch`` and ``evaluate`` take the device so that the same code runs on a CPU or a GPU
(lecture 10.6): the caller moves the model once, the loops move every batch. ``evaluate``
counts correct predictions over the whole set and divides by the number of samples, so a
smaller last batch weighs what its samples weigh.
"""

import time

import torch
import torch.nn.functional as F
from torch import nn

BATCH_SIZE = 64
LEARNING_RATE = 0.01
MOMENTUM = 0.5
EPOCHS = 10


class CourseNet(nn.Module):
    """The lecture's CNN: conv(1->10, 5x5), pool, relu, conv(10->20, 5x5), pool, relu, linear(320->10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)

    def forward(self, x):
        batch_size = x.size(0)
        x = F.relu(self.pooling(self.conv1(x)))  # (N, 10, 12, 12)
        x = F.relu(self.pooling(self.conv2(x)))  # (N, 20, 4, 4)
        x = x.view(batch_size, -1)  # (N, 320)
        return self.fc(x)


class DeeperNet(nn.Module):
    """Three conv-ReLU-pool stages and three linear layers; (N, 1, 28, 28) -> (N, 10) logits."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv3 = nn.Conv2d(20, 40, kernel_size=3, padding=1)
        self.pooling = nn.MaxPool2d(2)

        self.fc1 = nn.Linear(40 * 2 * 2, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pooling(F.relu(self.conv1(x)))  # (N, 10, 12, 12)
        x = self.pooling(F.relu(self.conv2(x)))  # (N, 20, 4, 4)
        x = self.pooling(F.relu(self.conv3(x)))  # (N, 40, 2, 2)
        x = torch.flatten(x, 1)  # (N, 160)
        x = self.fc1(x)
        x = self.fc2(x)
        return self.fc3(x)


def count_parameters(model):
    """The number of trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def train_epoch(model, loader, optimizer, device):
    """Train ``model`` for one pass over ``loader``; return the mean loss per sample.

    The loss is ``CrossEntropyLoss`` on the logits. The model must already be on ``device``;
    every batch is moved there. The returned value is the sum over batches of
    ``loss * batch_size`` divided by the number of samples.
    """
    criterion = nn.CrossEntropyLoss()
    model.train()
    total_loss, total_samples = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * inputs.size(0)
        total_samples += inputs.size(0)
    return total_loss / total_samples


def evaluate(model, loader, device):
    """The accuracy of ``model`` on ``loader``: correct predictions / number of samples."""
    model.eval()
    correct, total = 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            predicted = model(inputs).argmax(dim=1)
            correct += (predicted == targets).sum().item()
            total += targets.size(0)
    return correct / total


def compare(models, train_loader, test_loader, epochs, device, lr=LEARNING_RATE, momentum=MOMENTUM):
    """Train every model of ``models`` (a dict name -> model) and record its test accuracy.

    Each model is moved to ``device`` and gets its own ``SGD(lr, momentum)`` optimizer; the
    models are trained one after the other. Returns ``{name: [accuracy on test_loader after
    epoch 1, ..., after epoch `epochs`]}``.
    """
    history = {}
    for name, model in models.items():
        model.to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        history[name] = []
        for _ in range(epochs):
            train_epoch(model, train_loader, optimizer, device)
            history[name].append(evaluate(model, test_loader, device))
    return history


if __name__ == "__main__":
    from torch.utils.data import DataLoader, TensorDataset

    from pttutor.datasets import mnist

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    # The shared course data has only the 10k test images: train on 8,000, test on 2,000.
    images, labels = mnist.tensors("test")
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(0))
    train_idx, test_idx = order[:8000], order[8000:]
    train_loader = DataLoader(TensorDataset(images[train_idx], labels[train_idx]), batch_size=BATCH_SIZE,
                              shuffle=True)
    test_loader = DataLoader(TensorDataset(images[test_idx], labels[test_idx]), batch_size=BATCH_SIZE)
    torch.manual_seed(0)
    models = {"course CNN": CourseNet(), "deeper CNN": DeeperNet()}
    started = time.perf_counter()
    results = compare(models, train_loader, test_loader, EPOCHS, device)
    for name, accuracies in results.items():
        print(f"{name:12s} {count_parameters(models[name]):7d} parameters  "
              f"accuracy {100 * accuracies[-1]:.2f} % after {EPOCHS} epochs (best {100 * max(accuracies):.2f} %)")
    print(f"{time.perf_counter() - started:.0f} s on {device}")
