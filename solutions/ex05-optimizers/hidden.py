"""Hidden checks for ex05-optimizers: train on a model that is not LinearModel, and a figure of
its own for every call of plot_losses. Each judges an aspect the public checks leave out, so that
a mistake they charge is not charged again."""

import numpy as np
import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


@pytest.mark.points(1)
@pytest.mark.judges("train", uses=["<module>"])
def test_train_any_model_one_step(sub, ref, worker, request, device):
    """train works for any model: one epoch takes exactly one optimizer step, no epochs leave the model unchanged"""
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION)
    torch.manual_seed(7)
    expected = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    start = {key: value.detach().clone() for key, value in expected.state_dict().items()}
    nn = worker.import_module("torch.nn")
    for epochs in (0, 1):
        model = nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 1))
        model.load_state_dict(start)
        call = f"train(model, SGD optimizer with lr=0.05, x_data, y_data, {epochs}) for a network 1-3-1"
        opt = worker.import_module("torch.optim").SGD(model.parameters(), lr=0.05)
        try:
            losses = check.as_array(sub.train(model, opt, ref.x_data, ref.y_data, epochs), f"what {call} returned")
        except (check.SubmissionTimeout, check.WorkerLost):
            raise
        except check.SubmissionError as exc:
            if not exc.kind:
                raise
            raise check.CheckFailed(f"{call} raised {exc}\ntrain gets the model as an argument: use model(x) and "
                                    "model.parameters(), nothing that only LinearModel has") from None
        check.that(losses.size == epochs, f"{call} should return {epochs} loss(es); got {losses.size}")
        if epochs:
            ref.train(expected, torch.optim.SGD(expected.parameters(), lr=0.05), ref.x_data, ref.y_data, 1)
        got = check.call("model.state_dict()", model.state_dict)
        for key, value in expected.state_dict().items():
            check.close(got[key], value, f"the network's {key} after {call}", rtol=helpers.RTOL, atol=helpers.ATOL,
                        loose=device != "cpu", mistakes={"the model was not changed: train must step the optimizer":
                                                         start[key]} if epochs else None)


@pytest.mark.points(1)
@pytest.mark.judges("plot_losses")
def test_plot_fresh_figure_per_call(sub, ref, rng):
    """each call of plot_losses draws only the curves it is given (nothing left over from an earlier call)"""
    names = [str(n) for n in rng.permutation(ref.OPTIMIZERS)]
    first, second = names[:3], names[3:6]
    for call, chosen in ((1, first), (2, second)):
        curves = {name: [float(v) for v in np.abs(rng.normal(size=int(rng.integers(5, 30)))) * 10] for name in chosen}
        fig = check.call(f"plot_losses(curves) (call {call})", sub.plot_losses, curves)
    lines, _ = helpers.lines_and_legend(fig, "plot_losses(curves)")
    left_over = sorted({label for label, _ in lines if label in first})
    check.that(not left_over, f"the figure returned by a second call (with {second}) still shows {left_over} from the "
                              "first call: make a new figure in every call (fig, ax = plt.subplots())")
    shown = {label for label, _ in lines}
    check.that(shown & set(second), f"the figure returned by a second call (with {second}) shows none of them: "
                                    "plot the curves it is given, each with label=name")
