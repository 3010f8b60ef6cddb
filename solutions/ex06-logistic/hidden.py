"""Hidden checks for ex06-logistic: fit with other arguments, and probability_curve for other
kinds of input. Each is judged against the student's own answers where another part is involved,
so that a mistake the public checks charge is not charged again."""

import numpy as np
import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


@pytest.mark.points(1)
@pytest.mark.judges("fit", uses=["LogisticRegressionModel", "train"])
def test_fit_uses_its_arguments(sub, ref, rng, worker, request):
    """fit(seed, epochs, lr) seeds right before building the model and trains as asked"""
    check.stand_ins(request, worker, sub, criterion=helpers.CRITERION, LogisticRegressionModel=helpers.MODEL)
    seed, epochs, lr = int(rng.integers(1, 1000)), int(rng.integers(30, 60)), round(float(rng.uniform(0.05, 0.2)), 3)
    call = f"fit(seed={seed}, epochs={epochs}, lr={lr})"
    got = helpers.weights_of(helpers.call(call, sub.fit, seed=seed, epochs=epochs, lr=lr), f"the model {call} returns")
    expected = helpers.fit_expected(sub, ref, worker, seed, epochs, lr)
    if not np.allclose(got, expected, rtol=1e-3, atol=1e-5):
        check.close(got, expected, f"(w, b) of the model {call} returns", rtol=1e-3, atol=1e-5, mistakes={
            "fit ignores its seed argument (the weights are those of seed 0): call torch.manual_seed(seed) right "
            "before building the model": helpers.fit_expected(sub, ref, worker, 0, epochs, lr),
            "fit ignores its epochs and lr arguments (it always trains 1000 epochs with lr 0.01)":
                helpers.fit_expected(sub, ref, worker, seed, 1000, 0.01),
        })


@pytest.mark.points(1)
@pytest.mark.judges("probability_curve")
def test_probability_curve_input_types(sub, rng, worker):
    """probability_curve returns a NumPy array, and the same probabilities for a list, integers or a single x"""
    model = helpers.model(worker, (float(rng.uniform(0.5, 2.0)), float(rng.uniform(-3.0, 0.0))))
    x = rng.permutation(11)[:9]
    floats = helpers.call("probability_curve(model, x_values)", sub.probability_curve, model, x.astype(float))
    check.that(type(floats) is np.ndarray, "probability_curve should return a NumPy array (.numpy() of the "
                                           f"probabilities, computed under torch.no_grad()); got {check.describe(floats)}")
    want = floats.reshape(-1)
    check.that(want.size == x.size and np.ptp(want) > 0, f"probability_curve should give one probability per x, "
                                                         f"and they differ; got {want}")
    for kind, values, part in (("a list", [float(v) for v in x], want), ("integers", x, want),
                               ("a single x", x[:1].astype(float), want[:1])):
        got = helpers.call(f"probability_curve(model, {kind})", sub.probability_curve, model, values)
        got = check.as_array(got, f"probability_curve(model, {kind})").reshape(-1)
        check.that(got.shape == part.shape and np.allclose(got, part, rtol=1e-6, atol=1e-7),
                   f"probability_curve(model, x_values) gives other probabilities for {kind} ({got[:4]}) than for "
                   f"the same values as a float array ({part[:4]}): convert x_values with "
                   f"np.asarray(x_values, dtype=np.float32)")
