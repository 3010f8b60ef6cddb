"""Hidden checks for ex13-sentiment: Kaggle's zipped files.

Judged against the student's own reading of the same rows from a plain .tsv, so that a
reading mistake the public check shows (phrases turned into NaN) is charged once, there.
"""

import zipfile

import pytest

from pttutor.grader import check

pytestmark = pytest.mark.hidden

helpers = check.common(__file__)

MISSING_LOOKING = ["None", "NaN", "nan", "NA", "N/A", "n/a", "null", "NULL", "#N/A", "-nan", "<NA>", "", " "]


@pytest.mark.points(1)
@pytest.mark.judges("read_phrases")
def test_read_phrases_zipped(sub, rng, tmp_path):
    """read_phrases reads Kaggle's train.tsv.zip as it reads the plain train.tsv"""
    phrases = [helpers.random_phrase(rng) for _ in range(6)] + MISSING_LOOKING
    rows = [(1000 + k, 50 + k // 3, phrases[i], int(rng.integers(0, 5)))
            for k, i in enumerate(rng.permutation(len(phrases)))]
    plain = helpers.write_tsv(tmp_path / "train.tsv", helpers.HEADER, rows)
    zipped = tmp_path / "train.tsv.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(plain, "train.tsv")
    frame = check.call("read_phrases(train.tsv.zip)", sub.read_phrases, str(zipped))
    got = [helpers.column(frame, name, "read_phrases(train.tsv.zip)") for name in helpers.HEADER]
    try:  # the student's own reading of the plain file: the zipped one should read the same
        own = check.call("read_phrases(train.tsv)", sub.read_phrases, plain)
        own = [helpers.column(own, name, "read_phrases(train.tsv)") for name in helpers.HEADER]
    except (check.SubmissionError, check.CheckFailed):
        own = None
    if own is not None and [list(map(repr, c)) for c in got] == [list(map(repr, c)) for c in own]:
        return
    for name, values in zip(helpers.HEADER, got):
        wanted = [row[helpers.HEADER.index(name)] for row in rows]
        check.that(values == wanted, f"the column {name} of read_phrases(train.tsv.zip) should be {wanted[:5]}...; "
                                     f"got {values[:5]}... (pandas reads a .zip holding one file directly)")
