"""Hidden checks for ex12-rnn-hello: parameter counts of stacked and bidirectional layers.

The public check judges the count of one layer; this one judges how layers and directions add
up, measured against the student's own one-layer counts, so that a wrong one-layer formula
is charged once (in public) and a wrong stacking rule once (here).
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


@pytest.mark.points(1)
@pytest.mark.judges("rnn_parameter_count")
def test_parameter_count_stacks(sub, rng):
    """rnn_parameter_count adds up stacked layers (which read num_directions * hidden_size) and both directions"""
    for mode in ("RNN", "GRU", "LSTM"):
        for layers, bidirectional in ((3, False), (1, True), (2, True)):
            i, h = int(rng.integers(2, 30)), int(rng.integers(2, 30))
            if i == h:
                i += 1
            what = f'rnn_parameter_count("{mode}", {i}, {h}, num_layers={layers}, bidirectional={bidirectional})'
            got = check.call(what, sub.rnn_parameter_count, mode, i, h, num_layers=layers, bidirectional=bidirectional)
            directions = 2 if bidirectional else 1
            try:  # the student's own one-layer counts, added up as the stacking rule says
                own = [sub.rnn_parameter_count(mode, i if k == 0 else directions * h, h) for k in range(layers)]
                own = directions * sum(own) if all(type(n) is int for n in own) else None
            except check.SubmissionError:
                own = None
            if own is not None and check.as_array(got, what).shape == () and float(check.number(got, what)) == own:
                continue
            module = getattr(torch.nn, mode)(i, h, num_layers=layers, bidirectional=bidirectional)
            mistakes = {"the layers after the first are counted with input_size inputs; they read the previous "
                        "layer's output (num_directions * hidden_size)":
                        helpers.formula(mode, i, h, layers, bidirectional, later_input=i)}
            if bidirectional:
                mistakes["the second direction is not counted"] = helpers.formula(mode, i, h, layers, False)
                mistakes["the layers after the first read hidden_size inputs; with two directions they read "
                         "2 * hidden_size"] = helpers.formula(mode, i, h, layers, bidirectional, later_input=h)
            check.close(got, sum(p.numel() for p in module.parameters()), what, mistakes=mistakes)
