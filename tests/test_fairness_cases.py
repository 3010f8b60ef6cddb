"""Correct variants real students wrote that must keep full marks: each is the reference solution
with some definitions replaced (in the format of a recorded mistake, see
grader/authoring/mistakes.py), graded with every check, hidden ones included."""

from __future__ import annotations

from pathlib import Path

import pytest

from pttutor.grader import course
from pttutor.grader.authoring import mistakes


# ----------------------------------------------------------------------------- ex07-activations, ex08-titanic,
# ex09-ce-vs-nll, ex09-otto, ex10-deeper-cnn


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
