"""Correct variants real students wrote that must keep full marks: each is the reference solution
with some definitions replaced (in the format of a recorded mistake, see
grader/authoring/mistakes.py), graded with every check, hidden ones included."""

from __future__ import annotations

from pathlib import Path

import pytest

from pttutor.grader import course
from pttutor.grader.authoring import mistakes

# ----------------------------------------------------------------------------- ex11-resnet-variants, ex11-densenet,
# ex12-rnn-hello, ex13-name-classifier, ex13-sentiment


def _full_marks_c(exercise_id, replacement, grade_source):
    """The reference of ``exercise_id`` with the definitions in ``replacement`` keeps every point."""
    ex = course.default().get(exercise_id)
    variant = mistakes.Mistake(Path(f"<variant of {exercise_id}>"), (), (), replacement)
    report = grade_source(exercise_id, mistakes.apply(ex.solution_path.read_text(encoding="utf-8"), variant))
    assert {c.name: c.message for c in report.checks if not c.passed} == {}
    assert report.score == report.max_score


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
    _full_marks_c("ex11-resnet-variants", RESNET_VARIANTS[variant], grade_source)


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
    _full_marks_c("ex11-densenet", DENSENET_VARIANTS[variant], grade_source)


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
    _full_marks_c("ex12-rnn-hello", RNN_HELLO_VARIANTS[variant], grade_source)


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
    _full_marks_c("ex13-name-classifier", NAME_CLASSIFIER_VARIANTS[variant], grade_source)


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
    _full_marks_c("ex13-sentiment", SENTIMENT_VARIANTS[variant], grade_source)


# ----------------------------------------------------------------------------- end of ex11-resnet-variants ..
# ex13-sentiment
