"""Hidden checks for ex13-name-classifier: accuracy over several batches.

Judged against the student's own answer for the same names in one batch, so that a wrong
fraction (a percentage, say) is charged once, by the public check.
"""

import pytest
import torch

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)


@pytest.mark.points(1)
@pytest.mark.judges("accuracy")
def test_accuracy_over_batches(sub, ref, rng, worker):
    """accuracy counts every batch, the last, shorter one included, and gives what one batch gives"""
    remote, names, targets, batches, wanted = helpers.accuracy_setup(worker, ref, rng, 30, 7)
    what = "accuracy(model, 30 names, targets, batch_size=7)"
    with helpers.calls_recorded(worker, sub, "classify", returns={"classify": helpers.ByArgument(batches, 1)}):
        got = check.number(check.call(what, sub.accuracy, remote, names, targets, batch_size=7), what)
    whole = torch.cat([logits for _, logits in batches])
    with helpers.calls_recorded(worker, sub, "classify", returns={"classify": helpers.ByArgument([(names, whole)], 1)}):
        try:  # the student's own answer with one batch
            whole = check.number(sub.accuracy(remote, names, targets), "accuracy")
        except (check.SubmissionError, check.CheckFailed):
            whole = None
    if whole is not None and abs(got - whole) <= 1e-9 * max(1.0, abs(whole)):
        return
    check.close(got, wanted, what, rtol=1e-6, atol=1e-6, mistakes={
        "only the first batch is counted": sum(int(p == t) for p, t in zip(batches[0][1].argmax(1).tolist(), targets))
                                           / len(names),
        "the mean of the batches' accuracies is returned; divide the number of correct names by len(names)":
            sum(float((b.argmax(1) == torch.tensor(targets[i * 7:i * 7 + len(b)])).double().mean())
                for i, (_, b) in enumerate(batches)) / len(batches)})
