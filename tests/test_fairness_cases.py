"""Correct variants real students wrote that must keep full marks: each is the reference solution
with some definitions replaced (in the format of a recorded mistake, see
grader/authoring/mistakes.py), graded with every check, hidden ones included."""

from __future__ import annotations

from pathlib import Path

import pytest

from pttutor.grader import course
from pttutor.grader.authoring import mistakes


def _variant_report(exercise_id, replacement, grade_source):
    """The report for the reference of ``exercise_id`` with the definitions in ``replacement``."""
    ex = course.default().get(exercise_id)
    source = mistakes.apply(ex.solution_path.read_text(encoding="utf-8"),
                            mistakes.Mistake(Path(f"<variant of {exercise_id}>"), (), (), replacement))
    return grade_source(exercise_id, source)


def _assert_full_marks(report):
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert failed == {}
    assert report.score == report.max_score


# ----------------------------------------------------------------------------- ex02-cost-surface, ex03-gradient-descent,
# ex04-backprop, ex05-optimizers, ex06-logistic

EX02 = {
    "z label MSE": '''
def plot_cost_surface(W, B, cost):
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    ax.plot_surface(W, B, cost)
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_zlabel("MSE")
    return fig
''',
    "labels weight, bias, Cost J(w, b)": '''
def plot_cost_surface(W, B, cost):
    fig = plt.figure()
    ax = fig.add_subplot(1, 1, 1, projection="3d")
    ax.plot_surface(W, B, cost, rstride=2, cstride=2)
    ax.set_xlabel("Weight")
    ax.set_ylabel("Bias")
    ax.set_zlabel("Cost J(w, b)")
    return fig
''',
    "triangulated surface": '''
def plot_cost_surface(W, B, cost):
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    ax.plot_trisurf(W.ravel(), B.ravel(), cost.ravel())
    ax.set_xlabel("w")
    ax.set_ylabel("b")
    ax.set_zlabel("loss")
    return fig
''',
    "wire frame": '''
def plot_cost_surface(W, B, cost):
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    ax.plot_wireframe(W, B, cost)
    ax.set(xlabel="w", ylabel="b", zlabel="Loss")
    return fig
''',
    "cost surface by loops over mse": '''
def cost_surface(x, y, w_values, b_values):
    W, B = np.meshgrid(w_values, b_values)
    cost = np.zeros(W.shape)
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            cost[i, j] = mse(x, y, W[i, j], B[i, j])
    return W, B, cost
''',
    "mse with a loop over the samples": '''
def mse(x, y, w, b):
    total = 0.0
    for xi, yi in zip(x, y):
        total += (forward(xi, w, b) - yi) ** 2
    return total / len(x)
''',
}


@pytest.mark.parametrize("name", list(EX02))
def test_ex02_correct_variant_keeps_full_marks(name, grade_source):
    _assert_full_marks(_variant_report("ex02-cost-surface", EX02[name], grade_source))


EX03 = {
    "gradient descent with the formulas inline": '''
def gradient_descent(xs, ys, w0=1.0, lr=0.01, epochs=100):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    w, history = w0, []
    for _ in range(epochs):
        history.append(((xs * w - ys) ** 2).mean())
        w -= lr * (2 * xs * (xs * w - ys)).mean()
    return w, history
''',
    "cost and gradients with loops over the samples": '''
def cost(xs, ys, w):
    total = 0
    for x, y in zip(xs, ys):
        total += (forward(x, w) - y) ** 2
    return total / len(xs)


def gradient(xs, ys, w):
    total = 0
    for x, y in zip(xs, ys):
        total += 2 * x * (forward(x, w) - y)
    return total / len(xs)
''',
    "sgd with a helper for one sample's loss": '''
def loss(x, y, w):
    return (forward(x, w) - y) ** 2


def sgd(xs, ys, w0=1.0, lr=0.01, epochs=100):
    w, history = w0, []
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            w = w - lr * sgd_gradient(x, y, w)
            l = loss(x, y, w)
        history.append(l)
    return w, np.array(history)
''',
}


@pytest.mark.parametrize("name", list(EX03))
def test_ex03_correct_variant_keeps_full_marks(name, grade_source):
    _assert_full_marks(_variant_report("ex03-gradient-descent", EX03[name], grade_source))


EX04 = {
    "course-style training: one-element tensors, updates through .data": '''
def train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100):
    w1 = torch.tensor([float(w1)], requires_grad=True)
    w2 = torch.tensor([float(w2)], requires_grad=True)
    b = torch.tensor([float(b)], requires_grad=True)
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            l = loss(x, y, w1, w2, b)
            l.backward()
            w1.data = w1.data - lr * w1.grad.data
            w2.data = w2.data - lr * w2.grad.data
            b.data = b.data - lr * b.grad.data
            w1.grad.data.zero_()
            w2.grad.data.zero_()
            b.grad.data.zero_()
        loss_history.append(l.item())
    return w1.item(), w2.item(), b.item(), loss_history
''',
    "gradients with torch.autograd.grad": '''
def gradients_autograd(x, y, w1, w2, b):
    params = [torch.tensor(float(v), requires_grad=True) for v in (w1, w2, b)]
    grads = torch.autograd.grad(loss(x, y, *params), params)
    return tuple(g.item() for g in grads)
''',
    "loss and training written without calling forward or loss": '''
def loss(x, y, w1, w2, b):
    return (w1 * x * x + w2 * x + b - y) ** 2


def train(xs, ys, w1=1.0, w2=1.0, b=1.0, lr=0.01, epochs=100):
    params = [torch.tensor(float(v), requires_grad=True) for v in (w1, w2, b)]
    loss_history = []
    for epoch in range(epochs):
        for x, y in zip(xs, ys):
            l = (params[0] * x ** 2 + params[1] * x + params[2] - y) ** 2
            l.backward()
            with torch.no_grad():
                for p in params:
                    p.sub_(lr * p.grad)
                    p.grad = None
        loss_history.append(float(l))
    return tuple(float(p) for p in params) + (loss_history,)
''',
}


@pytest.mark.parametrize("name", list(EX04))
def test_ex04_correct_variant_keeps_full_marks(name, grade_source):
    _assert_full_marks(_variant_report("ex04-backprop", EX04[name], grade_source))


EX05 = {
    "LinearModel with its Linear also inside an nn.Sequential": '''
class LinearModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.net = nn.Sequential(self.linear)

    def forward(self, x):
        return self.net(x)
''',
    "train with a closure for LBFGS only": '''
def train(model, optimizer, x, y, epochs):
    losses = []
    for _ in range(epochs):
        if isinstance(optimizer, torch.optim.LBFGS):
            def closure():
                optimizer.zero_grad()
                loss = criterion(model(x), y)
                loss.backward()
                return loss
            losses.append(float(optimizer.step(closure)))
        else:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses
''',
    "make_optimizer from a table of classes": '''
def make_optimizer(name, params, lr=0.01):
    classes = {"Adagrad": torch.optim.Adagrad, "Adam": torch.optim.Adam, "Adamax": torch.optim.Adamax,
               "ASGD": torch.optim.ASGD, "LBFGS": torch.optim.LBFGS, "RMSprop": torch.optim.RMSprop,
               "Rprop": torch.optim.Rprop, "SGD": torch.optim.SGD}
    return classes[name](params, lr=lr)
''',
    "compare_optimizers as a dict comprehension, plot_losses with semilogy": '''
def compare_optimizers(epochs=100, lr=0.01, seed=0):
    def run(name):
        torch.manual_seed(seed)
        model = LinearModel()
        return train(model, make_optimizer(name, model.parameters(), lr=lr), x_data, y_data, epochs)
    return {name: run(name) for name in OPTIMIZERS}


def plot_losses(curves):
    fig, ax = plt.subplots()
    for name, losses in curves.items():
        ax.semilogy(losses, label=name)
    ax.legend()
    return fig
''',
}


@pytest.mark.parametrize("name", list(EX05))
def test_ex05_correct_variant_keeps_full_marks(name, grade_source):
    _assert_full_marks(_variant_report("ex05-optimizers", EX05[name], grade_source))


EX06 = {
    "LogisticRegressionModel with its Linear also inside an nn.Sequential": '''
class LogisticRegressionModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 1)
        self.net = nn.Sequential(self.linear, nn.Sigmoid())

    def forward(self, x):
        return self.net(x)
''',
    "probability_curve through torch.from_numpy, plot labelled Hours studied and P(pass)": '''
def probability_curve(model, x_values):
    x = torch.from_numpy(np.asarray(x_values, dtype=np.float32).reshape(-1, 1))
    with torch.no_grad():
        return model(x).detach().numpy().ravel()


def plot_probability(model):
    hours = np.linspace(0, 10, 200)
    fig = plt.figure()
    ax = fig.gca()
    ax.plot(hours, probability_curve(model, hours))
    ax.axhline(0.5, color="r")
    ax.set_xlabel("Hours studied")
    ax.set_ylabel("P(pass)")
    return fig
''',
    "decision_boundary from the state_dict, train zeroing before the forward pass": '''
def decision_boundary(model):
    state = model.state_dict()
    return float(-state["linear.bias"][0] / state["linear.weight"][0, 0])


def train(model, x, y, epochs, lr=0.01):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        losses.append(float(loss))
        loss.backward()
        optimizer.step()
    return losses
''',
}


@pytest.mark.parametrize("name", list(EX06))
def test_ex06_correct_variant_keeps_full_marks(name, grade_source):
    _assert_full_marks(_variant_report("ex06-logistic", EX06[name], grade_source))


# ----------------------------------------------------------------------------- ex07-activations, ex08-titanic,
# ex09-ce-vs-nll, ex09-otto, ex10-deeper-cnn


ACTIVATIONS = {
    # The threshold written as p > 0.5: the same predictions wherever no probability is exactly 0.5.
    "accuracy_strictly_above_half": '''
def accuracy(model, x, y):
    with torch.no_grad():
        return ((model(x) > 0.5).float() == y).float().mean().item()
''',
    # The three layers also registered inside an nn.Sequential that forward uses: the same weights
    # under two names in the state_dict.
    "layers_registered_twice": '''
class DiabetesNet(nn.Module):
    def __init__(self, activation="sigmoid"):
        super().__init__()
        self.linear1 = nn.Linear(8, 6)
        self.linear2 = nn.Linear(6, 4)
        self.linear3 = nn.Linear(4, 1)
        self.activation = make_activation(activation)
        self.layers = nn.Sequential(self.linear1, self.activation, self.linear2, self.activation, self.linear3,
                                    nn.Sigmoid())

    def forward(self, x):
        return self.layers(x)
''',
    # make_activation with its own table and functional modules of the same kind.
    "make_activation_if_chain": '''
def make_activation(name):
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(negative_slope=0.01)
    if name == "elu":
        return nn.ELU(alpha=1.0)
    if name == "softplus":
        return nn.Softplus(beta=1)
    raise ValueError(name)
''',
}


@pytest.mark.parametrize("variant", sorted(ACTIVATIONS))
def test_ex07_activations_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex07-activations", ACTIVATIONS[variant], grade_source))


TITANIC = {
    # The threshold written as p > 0.5: the same predictions wherever no probability is exactly 0.5.
    "predict_strictly_above_half": '''
def predict(model, dataset, batch_size=256):
    device = next(model.parameters()).device
    model.eval()
    out = []
    with torch.no_grad():
        for batch in DataLoader(dataset, batch_size=batch_size):
            x = batch[0] if isinstance(batch, (list, tuple)) else batch
            out.append((model(x.to(device)).view(-1) > 0.5).long().cpu())
    return torch.cat(out)
''',
    # The submission computed from the dataset's own feature tensor, written with the csv module.
    "write_submission_from_own_features": '''
def write_submission(model, test_dataset, path):
    import csv

    with torch.no_grad():
        survived = (model(test_dataset.features) >= 0.5).view(-1).long().tolist()
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["PassengerId", "Survived"])
        out.writerows(zip(test_dataset.passenger_ids, survived))
''',
    # A logistic regression is a TitanicModel too.
    "logistic_model": '''
class TitanicModel(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return torch.sigmoid(self.linear(x))
''',
}


@pytest.mark.parametrize("variant", sorted(TITANIC))
def test_ex08_titanic_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex08-titanic", TITANIC[variant], grade_source))


CE_VS_NLL = {
    # cross_entropy written in one piece, without the two functions: as right as composing them.
    "cross_entropy_in_one_piece": '''
def cross_entropy(z, y):
    shifted = z - z.max(dim=1, keepdim=True).values
    log_probs = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -log_probs.gather(1, y.view(-1, 1)).mean()
''',
    # nll_loss through a one-hot mask instead of indexing.
    "nll_loss_with_one_hot_mask": '''
def nll_loss(log_probs, y):
    mask = torch.nn.functional.one_hot(y, log_probs.shape[1]).to(log_probs.dtype)
    return -(mask * log_probs).sum() / log_probs.shape[0]
''',
}


@pytest.mark.parametrize("variant", sorted(CE_VS_NLL))
def test_ex09_ce_vs_nll_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex09-ce-vs-nll", CE_VS_NLL[variant], grade_source))


OTTO = {
    # The labels parsed with a regular expression that refuses anything but Class_1 .. Class_9.
    "encode_labels_with_regex": '''
def encode_labels(targets):
    import re

    codes = []
    for target in targets:
        found = re.fullmatch(r"Class_([1-9])", str(target))
        if found is None:
            raise ValueError(f"not an Otto class: {target!r}")
        codes.append(int(found.group(1)) - 1)
    return torch.tensor(codes, dtype=torch.int64)
''',
    # Batch norm and a standardisation of log counts inside the network.
    "otto_net_with_batch_norm": '''
class OttoNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.BatchNorm1d(N_FEATURES), nn.Linear(N_FEATURES, 128), nn.BatchNorm1d(128),
                                 nn.ReLU(), nn.Linear(128, len(CLASSES)))

    def forward(self, x):
        return self.net(torch.log1p(x))
''',
}


@pytest.mark.parametrize("variant", sorted(OTTO))
def test_ex09_otto_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex09-otto", OTTO[variant], grade_source))


DEEPER_CNN = {
    # The course's layers also registered inside an nn.Sequential that forward uses.
    "course_net_layers_registered_twice": '''
class CourseNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.pooling = nn.MaxPool2d(2)
        self.fc = nn.Linear(320, 10)
        self.features = nn.Sequential(self.conv1, self.pooling, nn.ReLU(), self.conv2, self.pooling, nn.ReLU())

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))
''',
    # Blocks in nn.Sequential containers, with batch norm and dropout besides the twelve layers.
    "deeper_net_in_blocks": '''
class DeeperNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.Dropout(0.2),
                                        nn.Linear(64, 32), nn.Linear(32, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
''',
}


@pytest.mark.parametrize("variant", sorted(DEEPER_CNN))
def test_ex10_deeper_cnn_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex10-deeper-cnn", DEEPER_CNN[variant], grade_source))


# ----------------------------------------------------------------------------- end of ex07-activations .. ex10-deeper-cnn


# ----------------------------------------------------------------------------- ex11-resnet-variants, ex11-densenet,
# ex12-rnn-hello, ex13-name-classifier, ex13-sentiment


RESNET_VARIANTS = {
    # The unit's layers registered a second time inside an nn.Sequential that forward uses.
    "layers_also_in_a_sequential": '''
class OriginalUnit(ResidualUnit):
    def __init__(self, channels):
        super().__init__(channels)
        self.branch = nn.Sequential(self.conv1, self.bn1, self.relu, self.conv2, self.bn2)

    def forward(self, x):
        return self.relu(x + self.branch(x))
''',
    # Functional pooling and torch.flatten instead of self.mp and view.
    "functional_pooling_and_flatten": '''
class ResidualNet(nn.Module):
    def __init__(self, unit="course"):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
        self.mp = nn.MaxPool2d(2)
        self.rblock1 = make_unit(unit, 16)
        self.rblock2 = make_unit(unit, 32)
        self.fc = nn.Linear(512, 10)

    def forward(self, x):
        x = self.rblock1(F.max_pool2d(torch.relu(self.conv1(x)), 2))
        x = self.rblock2(F.max_pool2d(torch.relu(self.conv2(x)), 2))
        return self.fc(torch.flatten(x, 1))
''',
    # make_unit through a KeyError.
    "make_unit_with_try": '''
def make_unit(name, channels):
    try:
        cls = UNITS[name]
    except KeyError:
        raise ValueError(f"no unit {name}; known: {sorted(UNITS)}") from None
    return cls(channels)
''',
}


@pytest.mark.parametrize("variant", sorted(RESNET_VARIANTS))
def test_ex11_resnet_variants_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex11-resnet-variants", RESNET_VARIANTS[variant], grade_source))


DENSENET_VARIANTS = {
    # The layer's modules registered a second time inside an nn.Sequential that forward uses.
    "layer_layers_also_in_a_sequential": '''
class DenseLayer(nn.Module):
    def __init__(self, in_channels, growth_rate, bottleneck=False, bn_size=4):
        super().__init__()
        width = bn_size * growth_rate if bottleneck else growth_rate
        self.norm1 = nn.BatchNorm2d(in_channels)
        self.conv1 = nn.Conv2d(in_channels, width, kernel_size=1 if bottleneck else 3, padding=0 if bottleneck else 1,
                               bias=False)
        parts = [self.norm1, nn.ReLU(), self.conv1]
        if bottleneck:
            self.norm2 = nn.BatchNorm2d(width)
            self.conv2 = nn.Conv2d(width, growth_rate, kernel_size=3, padding=1, bias=False)
            parts += [self.norm2, nn.ReLU(), self.conv2]
        self.composite = nn.Sequential(*parts)

    def forward(self, x):
        return self.composite(x)
''',
    # Layers built with keyword arguments; a running concatenation instead of a list of features.
    "block_with_keywords_and_running_concatenation": '''
class DenseBlock(nn.Module):
    def __init__(self, num_layers, in_channels, growth_rate, bottleneck=False, bn_size=4):
        super().__init__()
        self.layers = nn.ModuleList()
        for i in range(num_layers):
            self.layers.append(DenseLayer(in_channels=in_channels + i * growth_rate, growth_rate=growth_rate,
                                          bottleneck=bottleneck, bn_size=bn_size))

    def forward(self, x):
        for layer in self.layers:
            x = torch.cat([x, layer(x)], 1)
        return x
''',
    # count_parameters through filter and map.
    "count_parameters_with_filter": '''
def count_parameters(model):
    return sum(map(torch.numel, filter(lambda p: p.requires_grad, model.parameters())))
''',
}


@pytest.mark.parametrize("variant", sorted(DENSENET_VARIANTS))
def test_ex11_densenet_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex11-densenet", DENSENET_VARIANTS[variant], grade_source))


RNN_HELLO_VARIANTS = {
    # fc registered a second time inside an nn.Sequential head that forward uses.
    "embedding_model_fc_also_in_a_sequential": '''
class EmbeddingModel(nn.Module):
    def __init__(self, num_classes, embedding_size, hidden_size, num_layers=1, rnn_type="RNN"):
        super().__init__()
        self.num_classes, self.hidden_size = num_classes, hidden_size
        self.num_layers, self.rnn_type = num_layers, rnn_type
        self.emb = nn.Embedding(num_classes, embedding_size)
        self.rnn = getattr(nn, rnn_type)(embedding_size, hidden_size, num_layers=num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, num_classes)
        self.head = nn.Sequential(self.fc)

    def init_hidden(self, batch_size):
        h0 = torch.zeros(self.num_layers, batch_size, self.hidden_size)
        return (h0, torch.zeros_like(h0)) if self.rnn_type == "LSTM" else h0

    def forward(self, x):
        out, _ = self.rnn(self.emb(x), self.init_hidden(x.size(0)))
        return self.head(out).reshape(-1, self.num_classes)
''',
    # one_hot through an identity matrix, make_inputs without one_hot.
    "one_hot_and_make_inputs_from_eye": '''
def one_hot(indices, num_classes):
    return torch.eye(num_classes)[list(indices)]


def make_inputs(indices, num_classes, batch_first=False):
    rows = torch.eye(num_classes)[list(indices)]
    return rows[None] if batch_first else rows[:, None]
''',
    # CellModel with its own loop instead of run_cell.
    "cell_model_with_its_own_loop": '''
class CellModel(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.rnncell = nn.RNNCell(input_size, hidden_size)

    def forward(self, inputs):
        hidden = inputs.new_zeros(inputs.size(1), self.hidden_size)
        steps = []
        for t in range(inputs.size(0)):
            hidden = self.rnncell(inputs[t], hidden)
            steps.append(hidden)
        return torch.cat(steps, dim=0)
''',
}


@pytest.mark.parametrize("variant", sorted(RNN_HELLO_VARIANTS))
def test_ex12_rnn_hello_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex12-rnn-hello", RNN_HELLO_VARIANTS[variant], grade_source))


NAME_CLASSIFIER_VARIANTS = {
    # fc registered a second time inside an nn.Sequential head that forward uses.
    "classifier_fc_also_in_a_sequential": '''
class RNNClassifier(nn.Module):
    def __init__(self, input_size=N_CHARS, hidden_size=HIDDEN_SIZE, output_size=18, n_layers=N_LAYERS,
                 bidirectional=True):
        super().__init__()
        self.hidden_size, self.n_layers = hidden_size, n_layers
        self.n_directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, n_layers, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * self.n_directions, output_size)
        self.head = nn.Sequential(nn.Identity(), self.fc)

    def forward(self, seq_tensor, lengths):
        packed = pack_padded_sequence(self.embedding(seq_tensor.t()), lengths.cpu())
        h0 = torch.zeros(self.n_layers * self.n_directions, seq_tensor.size(0), self.hidden_size)
        _, hidden = self.gru(packed, h0)
        features = torch.cat([hidden[-1], hidden[-2]], dim=1) if self.n_directions == 2 else hidden[-1]
        return self.head(features)
''',
    # classify one name at a time: slower, as right.
    "classify_name_by_name": '''
def classify(model, names):
    rows = []
    with torch.no_grad():
        for name in names:
            seq_tensor, lengths, _, _ = make_tensors([name])
            rows.append(model(seq_tensor, lengths)[0])
    return torch.stack(rows)
''',
    # accuracy with predictions gathered in one list, targets as a tensor.
    "accuracy_with_one_prediction_list": '''
def accuracy(model, names, targets, batch_size=1024):
    predicted = []
    for start in range(0, len(names), batch_size):
        predicted += classify(model, names[start:start + batch_size]).argmax(dim=1).tolist()
    return float((torch.tensor(predicted) == torch.tensor(list(targets))).float().mean())
''',
}


@pytest.mark.parametrize("variant", sorted(NAME_CLASSIFIER_VARIANTS))
def test_ex13_name_classifier_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex13-name-classifier", NAME_CLASSIFIER_VARIANTS[variant], grade_source))


SENTIMENT_VARIANTS = {
    # fc registered a second time inside an nn.Sequential head that forward uses.
    "model_fc_also_in_a_sequential": '''
class SentimentRNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim=EMBEDDING_DIM, hidden_size=HIDDEN_SIZE, num_classes=NUM_CLASSES,
                 bidirectional=True):
        super().__init__()
        self.n_directions = 2 if bidirectional else 1
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.rnn = nn.LSTM(embedding_dim, hidden_size, batch_first=True, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * self.n_directions, num_classes)
        self.head = nn.Sequential(self.fc)

    def forward(self, tokens, lengths):
        packed = pack_padded_sequence(self.embedding(tokens), lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.rnn(packed)
        return self.head(torch.cat([h_n[-1], h_n[-2]], dim=1) if self.n_directions == 2 else h_n[-1])
''',
    # na_filter=False keeps every phrase a string too.
    "read_phrases_without_na_filter": '''
def read_phrases(path):
    return pd.read_csv(path, sep="\\t", na_filter=False, quoting=csv.QUOTE_NONE)
''',
    # predict through torch.max, one phrase at a time.
    "predict_one_phrase_at_a_time": '''
def predict(model, encoded, batch_size=1024):
    out = []
    with torch.no_grad():
        for phrase in encoded:
            tokens, lengths = make_batch([phrase])
            out.append(int(torch.max(model(tokens, lengths), dim=1).indices[0]))
    return out
''',
}


@pytest.mark.parametrize("variant", sorted(SENTIMENT_VARIANTS))
def test_ex13_sentiment_correct_variant(variant, grade_source):
    _assert_full_marks(_variant_report("ex13-sentiment", SENTIMENT_VARIANTS[variant], grade_source))


# ----------------------------------------------------------------------------- end of ex11-resnet-variants ..
# ex13-sentiment
