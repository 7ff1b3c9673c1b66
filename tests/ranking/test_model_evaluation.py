"""Offline-evaluation statistics (ranking/evaluation.py) against scikit-learn, scipy and
published formulas; reading labelled CSV files."""

import math

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from ranking.evaluation import (
    DataError,
    calibration_table,
    evaluate_by_slice,
    evaluate_scores,
    population_stability_index,
    population_stability_test,
    read_labelled_csv,
    roc_auc,
    roc_auc_interval,
)


def scores(n: int, seed: int, separation: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    raw = rng.normal(loc=separation * y, size=n)
    # Rounded so that there are ties, which AUC must count as one half.
    return y, np.round(1 / (1 + np.exp(-raw)), 2)


def test_roc_auc_matches_scikit_learn_with_ties():
    y, p = scores(500, seed=0)
    assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p), abs=1e-12)


def test_roc_auc_is_nan_for_one_class():
    assert math.isnan(roc_auc([1, 1, 1], [0.2, 0.5, 0.9]))


def test_bootstrap_interval_agrees_with_the_hanley_mcneil_standard_error():
    # Hanley & McNeil (1982), Radiology 143:29–36, eq. 2: the standard error of the AUC.
    y, p = scores(600, seed=1)
    auc = roc_auc(y, p)
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    se = math.sqrt(
        (auc * (1 - auc) + (n1 - 1) * (q1 - auc**2) + (n0 - 1) * (q2 - auc**2)) / (n1 * n0)
    )
    z = norm.ppf(0.975)
    low, high = roc_auc_interval(y, p, n_resamples=2000, seed=3)
    assert low < auc < high
    assert low == pytest.approx(auc - z * se, abs=0.015)
    assert high == pytest.approx(auc + z * se, abs=0.015)


def test_bootstrap_interval_narrows_with_more_data_and_is_reproducible():
    small = roc_auc_interval(*scores(80, seed=2), n_resamples=1000, seed=0)
    large = roc_auc_interval(*scores(2000, seed=2), n_resamples=1000, seed=0)
    assert large[1] - large[0] < small[1] - small[0]
    assert roc_auc_interval(*scores(80, seed=2), n_resamples=1000, seed=0) == small


def test_bootstrap_interval_is_unknown_with_a_single_positive_but_auc_is_not():
    y, p = [1, 0, 0, 0, 0], [0.9, 0.1, 0.2, 0.95, 0.3]
    assert all(math.isnan(v) for v in roc_auc_interval(y, p, n_resamples=500))
    report = evaluate_scores(y, p, n_resamples=500)
    assert report.auc == pytest.approx(0.75)
    assert report.auc_ci_low is None
    assert report.auc_ci_high is None


def test_calibration_table_matches_scikit_learn_calibration_curve():
    y, p = scores(700, seed=4)
    table = calibration_table(y, p, n_bins=10)
    fraction, predicted = calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose([r["fraction_positive"] for r in table], fraction)
    np.testing.assert_allclose([r["mean_predicted"] for r in table], predicted)
    assert sum(r["count"] for r in table) == len(y)


def test_evaluate_scores_reports_brier_as_scikit_learn():
    y, p = scores(300, seed=5)
    report = evaluate_scores(y, p, n_resamples=500)
    assert report.brier == pytest.approx(brier_score_loss(y, p))
    assert report.n == 300
    assert report.n_positive == int(y.sum())
    assert report.auc_ci_low < report.auc < report.auc_ci_high


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([0, 1], [0.5, 1.5], "between 0 and 1"),
        ([0, 2], [0.5, 0.5], "0 or 1"),
        ([], [], "nothing to evaluate"),
        ([0, 1, 1], [0.5, 0.5], "same length"),
    ],
)
def test_evaluate_scores_rejects_bad_input(y, p, message):
    with pytest.raises(DataError, match=message):
        evaluate_scores(y, p)


def test_slices_report_each_group_and_mark_one_class_groups():
    y, p = scores(400, seed=6)
    region = np.where(np.arange(400) < 200, "europe", "asia").astype(object)
    region[:3] = "oceania"
    y[:3] = 1  # oceania: accepted only, so its AUC cannot be computed
    by_slice = evaluate_by_slice(y, p, {"region": list(region)}, n_resamples=200)
    groups = by_slice["region"]
    assert set(groups) == {"europe", "asia", "oceania"}
    assert groups["oceania"]["auc"] is None
    assert groups["oceania"]["n"] == 3
    asia = region == "asia"
    assert groups["asia"]["auc"] == pytest.approx(roc_auc_score(y[asia], p[asia]))


def test_psi_is_near_zero_for_the_same_distribution_and_grows_with_shift():
    rng = np.random.default_rng(7)
    reference = rng.beta(2, 5, size=5000)
    same = rng.beta(2, 5, size=5000)
    shifted = rng.beta(3, 4, size=5000)
    assert population_stability_index(reference, same) < 0.02
    assert population_stability_index(reference, shifted) > 0.25


def test_psi_equals_the_textbook_sum_over_bins():
    # Expected deciles of 0..99 are 10 equal bins; actual puts 20% in the first bin, 0% in the
    # last, 10% elsewhere: PSI = 0.1 ln 2 + (0.0001 - 0.1) ln(0.0001 / 0.1) after flooring.
    expected = np.arange(100) + 0.5
    actual = np.concatenate([np.full(20, 1.0)] + [np.full(10, 10.0 * b + 5) for b in range(1, 9)])
    a = np.array([0.2] + [0.1] * 8 + [1e-4])
    a = a / a.sum()
    e = np.full(10, 0.1)
    textbook = float(np.sum((a - e) * np.log(a / e)))
    assert population_stability_index(expected, actual) == pytest.approx(textbook)


def test_psi_test_rarely_alarms_by_chance_and_knows_the_chance_level():
    # With no shift the p-value should fall below 0.05 in about 5% of samples, and the mean PSI
    # be near the chance level (B-1)(1/n+1/m).
    rng = np.random.default_rng(8)
    tests = [
        population_stability_test(rng.beta(2, 5, size=400), rng.beta(2, 5, size=80))
        for _ in range(300)
    ]
    false_alarms = np.mean([t.p_value < 0.05 for t in tests])
    assert 0.01 <= false_alarms <= 0.10
    mean_psi = np.mean([t.psi for t in tests])
    assert mean_psi == pytest.approx(tests[0].chance_psi, rel=0.25)
    assert tests[0].chance_psi == pytest.approx(9 * (1 / 400 + 1 / 80))


def test_psi_test_finds_a_real_shift():
    rng = np.random.default_rng(9)
    shifted = population_stability_test(rng.beta(2, 5, size=400), rng.beta(5, 2, size=80))
    assert shifted.p_value < 1e-6
    assert shifted.psi > 0.25


def write(tmp_path, text: str, *, name: str = "data.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_reading_a_csv_joins_text_columns_and_treats_empty_cells_as_empty(tmp_path):
    path = write(tmp_path, "title,abstract,accepted\nA,,1\n,Body text,0\nC,D,1\n")
    data = read_labelled_csv(path, text_columns=["title", "abstract"], label_column="accepted")
    assert data.documents == ["A", "Body text", "C\nD"]
    assert data.labels == [1, 0, 1]


def test_reading_a_csv_survives_a_bom_odd_bytes_short_rows_and_huge_fields(tmp_path):
    huge = "x" * 300_000
    raw = '\ufefftitle,abstract,accepted\nCaf\u00e9 \u2013 \U0001f600,"multi\nline",1\n'
    raw += f"short row,{huge},0\nonly title\n".replace("only title", "T,,1")
    path = tmp_path / "odd.csv"
    path.write_bytes(raw.encode("utf-8") + b"\xff\xfe broken,bytes,0\n")
    data = read_labelled_csv(path, text_columns=["title", "abstract"], label_column="accepted")
    assert data.labels == [1, 0, 1, 0]
    assert data.documents[0] == "Caf\u00e9 \u2013 \U0001f600\nmulti\nline"
    assert len(data.documents[1]) > 300_000
    assert "\ufffd" in data.documents[3]


def test_reading_a_csv_matches_column_names_ignoring_case(tmp_path):
    path = write(tmp_path, "Title,Abstract,Accepted\nA,B,1\n")
    data = read_labelled_csv(path, text_columns=["title", "abstract"], label_column="accepted")
    assert data.documents == ["A\nB"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("title,accepted\nA,1\n", "no column 'abstract'; its columns are 'title', 'accepted'"),
        ("title,abstract,accepted\nA,B,yes\n", "line 2: label column 'accepted' must be 0 or 1"),
        ("title,abstract,accepted\nA,B,\n", "found an empty cell"),
        ("title,abstract,accepted\nA,B,0.5\n", "found '0.5'"),
        ("", "is empty"),
        ("title,abstract,accepted\n", "no rows"),
    ],
)
def test_reading_a_csv_explains_what_is_wrong(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(DataError, match=message):
        read_labelled_csv(path, text_columns=["title", "abstract"], label_column="accepted")


def test_reading_a_missing_file_says_so(tmp_path):
    with pytest.raises(DataError, match="Cannot read"):
        read_labelled_csv(tmp_path / "nope.csv", text_columns=["t"], label_column="y")
