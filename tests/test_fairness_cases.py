"""Recorded cases that must NOT lose points: correct variants of a solution (another way to write
a part, a synonym the task allows, a model built another way), each applied onto the reference
solution like a recorded mistake, score full marks with the hidden checks included."""

from __future__ import annotations

from pathlib import Path

import pytest

from pttutor.grader import course
from pttutor.grader.authoring import mistakes, selftest


def assert_full_marks(exercise_id: str, name: str, source: str) -> None:
    """The reference solution with ``source`` applied (as a recorded mistake would be) loses nothing."""
    ex = course.default().get(exercise_id)
    report = selftest.grade_mistake(ex, mistakes.Mistake(Path(f"<variant {name}>"), (), (), source))
    failed = {c.name: c.message for c in report.checks if not c.passed}
    assert failed == {}
    assert report.score == report.max_score


# ----------------------------------------------------------------------------------------------
# ex02-cost-surface, ex03-gradient-descent, ex04-backprop, ex05-optimizers, ex06-logistic

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
def test_ex02_correct_variant_keeps_full_marks(name):
    assert_full_marks("ex02-cost-surface", name, EX02[name])


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
def test_ex03_correct_variant_keeps_full_marks(name):
    assert_full_marks("ex03-gradient-descent", name, EX03[name])


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
def test_ex04_correct_variant_keeps_full_marks(name):
    assert_full_marks("ex04-backprop", name, EX04[name])


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
def test_ex05_correct_variant_keeps_full_marks(name):
    assert_full_marks("ex05-optimizers", name, EX05[name])


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
def test_ex06_correct_variant_keeps_full_marks(name):
    assert_full_marks("ex06-logistic", name, EX06[name])
