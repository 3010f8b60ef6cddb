"""Helpers shared by the public and hidden checks of ex08-titanic: small CSV files in Kaggle's
Titanic schema (quoted names with commas, missing Age, Cabin, Embarked and Fare), calls into the
student's code, and the checks of a dataset's items and of a submission file."""

import csv

import numpy as np
import torch

from pttutor.grader import check

TRAIN_COLUMNS = ["PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch",
                 "Ticket", "Fare", "Cabin", "Embarked"]
TEST_COLUMNS = [c for c in TRAIN_COLUMNS if c != "Survived"]
SURNAMES = ["Braund", "Cumings", "Heikkinen", "Futrelle", "Allen", "Moran", "McCarthy", "Palsson",
            "Johnson", "Nasser", "Sandstrom", "Bonnell", "Saundercock", "Andersson", "Vestrom"]
FIRST = ["Owen Harris", "John Bradley", "Laina", "Jacques Heath", "William Henry", "James",
         "Timothy J", "Gosta Leonard", "Oscar W", "Nicholas", "Marguerite Rut", "Elizabeth"]


def passengers(rng, n, *, first_id=1, nan_age=0.2, nan_embarked=0, nan_fare=0, labelled=True):
    """``n`` passengers as dicts of raw values (None where the CSV cell is empty).

    Survival follows the real data's pattern (women and first-class passengers survive more
    often), so that a correct pipeline learns it within a few epochs.
    """
    rows = []
    for k in range(n):
        pclass = int(rng.choice([1, 2, 3], p=[0.25, 0.2, 0.55]))
        female = bool(rng.random() < 0.38)
        age = float(round(rng.uniform(0.4, 75.0) * 2) / 2) if rng.random() > 0.1 else float(rng.integers(1, 12))
        fare = {1: 30.0, 2: 14.0, 3: 7.0}[pclass] * float(np.exp(rng.normal(0.3, 0.5)))
        title = ("Mrs." if rng.random() < 0.6 else "Miss.") if female else ("Master." if age < 12 else "Mr.")
        row = {
            "PassengerId": first_id + k,
            "Pclass": pclass,
            "Name": f"{SURNAMES[rng.integers(len(SURNAMES))]}, {title} {FIRST[rng.integers(len(FIRST))]}",
            "Sex": "female" if female else "male",
            "Age": age,
            "SibSp": int(rng.choice([0, 0, 0, 1, 1, 2, 4])),
            "Parch": int(rng.choice([0, 0, 0, 0, 1, 2])),
            "Ticket": str(rng.choice(["A/5 ", "PC ", "STON/O2. ", "", ""])) + str(int(rng.integers(1000, 400000))),
            "Fare": round(fare, 4),
            "Cabin": f"{'ABCDEF'[rng.integers(6)]}{rng.integers(1, 130)}" if rng.random() < 0.25 else None,
            "Embarked": str(rng.choice(["S", "C", "Q"], p=[0.72, 0.19, 0.09])),
        }
        if labelled:
            p = (0.95 if pclass < 3 else 0.6) if female else (0.45 if age < 10 else 0.3 if pclass == 1 else 0.08)
            row["Survived"] = int(rng.random() < p)
        rows.append(row)
    for key, share in (("Age", nan_age),):
        for i in rng.choice(n, size=int(round(share * n)), replace=False):
            rows[i][key] = None
    for key, count in (("Embarked", nan_embarked), ("Fare", nan_fare)):
        for i in rng.choice(n, size=count, replace=False):
            rows[i][key] = None
    return rows


def _cell(value):
    if value is None:
        return ""
    if type(value) is float:
        return f"{value:g}" if value == round(value, 1) else repr(value)
    return str(value)


def write_csv(path, rows, columns):
    """Write rows as Kaggle does: minimal quoting (names with commas in quotes), empty cells for NaN."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(columns)
        for row in rows:
            out.writerow([_cell(row.get(c)) for c in columns])
    return str(path)


def call_or_fail(fn, message):
    """Call into the student's code; an exception it raises fails the check with ``message(exc)``."""
    try:
        return fn()
    except (check.SubmissionTimeout, check.WorkerLost):
        raise
    except check.SubmissionError as exc:
        raise check.CheckFailed(message(exc)) from None


def dataset(sub, path, rows, stats=None, what="TitanicDataset(train.csv)"):
    """The student's TitanicDataset over ``path``, checked to be a Dataset with one item per row."""
    ds = check.call(what, sub.TitanicDataset, path) if stats is None else \
        check.call(what, sub.TitanicDataset, path, stats=stats)
    check.that("torch.utils.data.dataset.Dataset" in check.type_names(ds),
                f"{what} should be a torch.utils.data.Dataset (class TitanicDataset(Dataset)); "
                f"got {check.describe(ds)}")
    n = check.call(f"len({what})", len, ds)
    with_age = sum(r["Age"] is not None for r in rows)
    if n == with_age and with_age != len(rows):
        raise check.CheckFailed(
            f"len({what}) is {n}, the number of rows that have an Age; the file has {len(rows)} "
            f"passengers. Dropping rows with missing values (dropna) loses passengers: fill the "
            f"missing Age (e.g. with the training median) instead")
    check.that(n == len(rows), f"len({what}) should be {len(rows)}, the number of passengers in the file; got {n}")
    return ds


def features_of(item, what, width=None):
    """Check one features tensor and return it as a float64 array."""
    check.that(type(item) is torch.Tensor,
                f"{what} should be a float32 tensor of features; got {check.describe(item)}")
    check.that(item.dtype == torch.float32,
                f"{what} should be float32 (nn.Linear's weights are float32); got {str(item.dtype)[6:]}: "
                f"build it with torch.tensor(..., dtype=torch.float32) or .float()")
    check.that(item.dim() == 1 and item.shape[0] > 0,
                f"{what} should be a 1-D tensor of shape (n_features,); got shape {tuple(item.shape)}")
    if width is not None:
        check.that(item.shape[0] == width,
                    f"{what} has {item.shape[0]} features, but the training items have {width}: encode every "
                    f"file the same way (pd.get_dummies only makes columns for the values present in that file)")
    return item.detach().double().numpy()


def labelled_item(ds, i, what="dataset"):
    item = check.call(f"{what}[{i}]", lambda: ds[i])
    check.that(type(item) in (tuple, list) and len(item) == 2,
                f"{what}[{i}] should be a pair (features, label) for a file with a Survived column; "
                f"got {check.describe(item)}")
    x, y = item
    x = features_of(x, f"the features of {what}[{i}]")
    check.that(type(y) is torch.Tensor,
                f"the label of {what}[{i}] should be a float32 tensor of shape (1,); got {check.describe(y)}")
    check.that(y.dtype == torch.float32,
                f"the label of {what}[{i}] should be float32 (BCELoss wants float targets); got {str(y.dtype)[6:]}")
    check.that(tuple(y.shape) == (1,),
                f"the label of {what}[{i}] should have shape (1,) so that a batch of labels is (batch, 1) like "
                f"the model's output; got shape {tuple(y.shape)}" + (" (use .view(-1, 1) on the label column "
                                                                     "or torch.tensor([label]))" if y.dim() == 0 else ""))
    return x, float(y[0])


def missing_fields(row):
    return [k for k in ("Age", "Fare", "Embarked") if row[k] is None]


def expect_finite(x, row, what):
    if not np.all(np.isfinite(x)):
        column = int(np.flatnonzero(~np.isfinite(x))[0])
        kind = "NaN" if np.isnan(x[column]) else "an infinite value"
        missing = missing_fields(row)
        why = (f"; this passenger has no {' and no '.join(missing)} in the CSV: fill missing values in __init__ "
               f"(Age and Fare with a training statistic such as the median, Embarked with the most common port)"
               if missing else "")
        raise check.CheckFailed(f"{what} has {kind} in feature {column}{why}")


def check_submission(path, test_rows):
    """The submission file has the header, every PassengerId once and 0/1 integers; returns its values."""
    check.that(path.is_file(), "write_submission did not create the file at the path it was given")
    with open(path, newline="", encoding="utf-8") as f:
        lines = list(csv.reader(f))
    check.that(len(lines) >= 1, "the submission file is empty")
    header = [h.strip() for h in lines[0]]
    if header and header[0] == "" and header[1:] == ["PassengerId", "Survived"]:
        raise check.CheckFailed("the submission has an extra first column without a name: that is the "
                                 "DataFrame's index; write it with to_csv(path, index=False)")
    check.that(header == ["PassengerId", "Survived"],
                f"the submission's header should be exactly PassengerId,Survived; got {','.join(lines[0])}")
    body = [line for line in lines[1:] if line]
    ids = [r["PassengerId"] for r in test_rows]
    with_age = sum(r["Age"] is not None for r in test_rows)
    if len(body) == with_age and with_age != len(ids):
        raise check.CheckFailed(
            f"the submission has {len(body)} rows, the number of test passengers with an Age; it needs all "
            f"{len(ids)}. Rows with a missing Age were dropped: fill missing values instead of dropna()")
    check.that(len(body) == len(ids), f"the submission should have one line per test passenger ({len(ids)}); "
                                       f"it has {len(body)}")
    got_ids, survived = [], []
    for k, line in enumerate(body, start=2):
        check.that(len(line) == 2, f"line {k} of the submission should have 2 values; it has {len(line)}")
        pid, value = line[0].strip(), line[1].strip()
        check.that(pid.isdigit(), f"line {k}: PassengerId should be an integer; got {pid!r}")
        if value not in ("0", "1"):
            hint = ""
            if value in ("True", "False"):
                hint = ": convert the booleans to int"
            elif value.replace(".", "", 1).isdigit():
                hint = (": write the integer 0 or 1, not a float (predictions as int64, e.g. .long())"
                        if value in ("0.0", "1.0") else ": write the prediction 0 or 1, not a probability")
            raise check.CheckFailed(f"line {k}: Survived should be the integer 0 or 1; got {value!r}{hint}")
        got_ids.append(int(pid))
        survived.append(int(value))
    check.that(sorted(got_ids) == sorted(ids) and len(set(got_ids)) == len(ids),
                "the submission's PassengerIds should be exactly the test passengers' ids, each once; "
                f"missing {sorted(set(ids) - set(got_ids))[:5]}, unexpected {sorted(set(got_ids) - set(ids))[:5]}")
    check.that(got_ids == ids, "the submission's PassengerIds should be in the test file's order")
    return np.array(survived)
