"""Helpers shared by the public and hidden checks of ex13-name-classifier.

Each check judges one part. The classifier gets the reference's weights and sorted batches
the check builds; ``classify``, ``predict``, ``train_epoch`` and ``accuracy`` get a stand-in
model built in the worker (the mean of character embeddings, then a linear layer), and the
helpers the stub makes them call (``make_tensors``, ``classify``, ``encode_name``) are
answered, while they run, by recorders holding the reference's answers for the arguments
the part should pass (other arguments go to the student's own helper): a part is judged by
what it makes of those answers.
"""


import torch

from pttutor.grader import check

shared = check.common(__file__, "ex11-resnet-variants")
ByArgument, calls_recorded = shared.ByArgument, shared.calls_recorded

RTOL, ATOL = 1e-4, 1e-5
LETTERS = list("abcdefghijklmnopqrstuvwxyz")
ACCENTED = list("éüøłñçőăßễíàšžå")
CLASSIFIER_ADVICE = ("embedding, gru (bidirectional as asked, not batch_first) and fc (hidden_size * n_directions "
                     "inputs: the last layer's two directions are concatenated)")


def tolerance(device):
    return {"rtol": RTOL, "atol": ATOL, "loose": device != "cpu"}


def random_names(rng, count, low=1, high=12):
    return ["".join(rng.choice(LETTERS, size=int(rng.integers(low, high)))).capitalize() for _ in range(count)]


def accented_names(rng, count):
    names = []
    for _ in range(count):
        stem = list(rng.choice(LETTERS, size=int(rng.integers(3, 8))))
        stem.insert(int(rng.integers(1, len(stem))), str(rng.choice(ACCENTED)))
        names.append("".join(stem).capitalize())
    return names


def student_classifier(sub, state, device, *args, **kwargs):
    """The student's RNNClassifier(*args, **kwargs) holding the weights ``state``."""
    what = "RNNClassifier(" + ", ".join([*map(str, args), *(f"{k}={v}" for k, v in kwargs.items())]) + ")"
    model = check.call(what, sub.RNNClassifier, *args, **kwargs)
    shared.load_layers(model, state, what, CLASSIFIER_ADVICE)
    check.call(f"{what}.to(device)", model.to, device)
    return model, what


def classifier_variants(state, seq, lengths, hidden, n_layers, bidirectional):
    """What the usual mistakes of the classifier's forward give on a sorted batch, computed here."""
    embedding = torch.nn.Embedding.from_pretrained(state["embedding.weight"])
    gru = torch.nn.GRU(hidden, hidden, n_layers, bidirectional=bidirectional)
    gru.load_state_dict({k.removeprefix("gru."): v for k, v in state.items() if k.startswith("gru.")})
    directions = 2 if bidirectional else 1
    h0 = torch.zeros(n_layers * directions, seq.size(0), hidden)

    def logits(features):
        return torch.nn.functional.linear(features, state["fc.weight"], state["fc.bias"])

    with torch.no_grad():
        packed = torch.nn.utils.rnn.pack_padded_sequence(embedding(seq.t()), lengths)
        h_packed = gru(packed, h0)[1]
        h_padded = gru(embedding(seq.t()), h0)[1]
        if not bidirectional:
            return {"the GRU reads the padding: pack the batch with pack_padded_sequence(embedded, lengths)":
                    logits(h_padded[-1])}
        return {"the GRU reads the padding: pack the batch with pack_padded_sequence(embedded, lengths)":
                logits(torch.cat([h_padded[-1], h_padded[-2]], dim=1)),
                "the directions are concatenated as [hidden[-2], hidden[-1]]; the stub (and the course) use "
                "torch.cat([hidden[-1], hidden[-2]], dim=1)": logits(torch.cat([h_packed[-2], h_packed[-1]], dim=1))}


def local_logits(local, names, ref):
    """The stand-in model's logits, row i for names[i] (each name alone: the stand-in ignores the other rows)."""
    with torch.no_grad():
        rows = []
        for name in names:
            seq, lengths, _, _ = ref.make_tensors([name])
            rows.append(local(seq, lengths)[0])
        return torch.stack(rows)


def accuracy_setup(worker, ref, rng, count, batch_size):
    """A stand-in model, names and targets (a third of them wrong), and the reference's logits per batch."""
    local, remote = shared.bag_of_codes(worker, 128, 8, 4, rng)
    names = random_names(rng, count)
    logits = local_logits(local, names, ref)
    targets = logits.argmax(dim=1).tolist()
    targets[: count // 3] = [(t + 1) % 4 for t in targets[: count // 3]]
    batches = [(names[i:i + batch_size], logits[i:i + batch_size]) for i in range(0, count, batch_size)]
    return remote, names, targets, batches, sum(int(p == t) for p, t in zip(logits.argmax(1).tolist(), targets)) / count
