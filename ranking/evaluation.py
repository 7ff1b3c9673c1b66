"""Offline and online evaluation of relevance scores — pure numpy/scipy/scikit-learn, no Django.

- ROC AUC with a stratified bootstrap 95% interval (positives and negatives resampled
  separately, so every resample has both classes; percentile interval, Efron & Tibshirani 1993
  §13.3). AUC is the Mann–Whitney U statistic divided by n₁·n₀ (Hanley & McNeil 1982).
- Brier score, a reliability (calibration) table, and the same metrics per slice.
- Population stability index between two score samples.
- Reading a labelled CSV for ``relevance_eval``.
"""

from __future__ import annotations

import csv
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike, NDArray
from sklearn.metrics import brier_score_loss

DEFAULT_RESAMPLES = 2000
CALIBRATION_BINS = 10


class DataError(ValueError):
    """Input data that cannot be evaluated; the message says what is wrong and where."""


def _auc_statistic(
    positive: NDArray[np.float64], negative: NDArray[np.float64], axis: int = -1
) -> NDArray[np.float64]:
    u = scipy.stats.mannwhitneyu(positive, negative, axis=axis, method="asymptotic").statistic
    return np.asarray(u / (positive.shape[axis] * negative.shape[axis]), dtype=float)


def roc_auc(y: ArrayLike, score: ArrayLike) -> float:
    """ROC AUC (ties count one half); ``nan`` when only one class is present."""
    labels = np.asarray(y).astype(int)
    scores = np.asarray(score, dtype=float)
    positive, negative = scores[labels == 1], scores[labels == 0]
    if not len(positive) or not len(negative):
        return math.nan
    return float(_auc_statistic(positive, negative))


def roc_auc_interval(
    y: ArrayLike,
    score: ArrayLike,
    *,
    confidence: float = 0.95,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> tuple[float, float]:
    """Stratified percentile-bootstrap interval of the ROC AUC.

    ``(nan, nan)`` when either class has fewer than two members.
    """
    labels = np.asarray(y).astype(int)
    scores = np.asarray(score, dtype=float)
    positive, negative = scores[labels == 1], scores[labels == 0]
    if len(positive) < 2 or len(negative) < 2:
        # A class seen once cannot be resampled: its variability is unknown.
        return math.nan, math.nan
    # Batches keep the resampled matrices small for large test sets.
    batch = max(1, min(n_resamples, 20_000_000 // max(1, len(scores))))
    result = scipy.stats.bootstrap(
        (positive, negative),
        _auc_statistic,
        n_resamples=n_resamples,
        batch=batch,
        vectorized=True,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def calibration_table(
    y: ArrayLike, probability: ArrayLike, *, n_bins: int = CALIBRATION_BINS
) -> list[dict[str, float]]:
    """Reliability table over equal-width bins of [0, 1]; empty bins are left out.

    Same binning as ``sklearn.calibration.calibration_curve(strategy="uniform")`` (tested),
    plus the number of predictions in each bin, which a chart needs to show its uncertainty.
    """
    labels = np.asarray(y, dtype=float)
    p = np.asarray(probability, dtype=float)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Bins are (low, high], the first [0, 0.1]: a score on an edge goes to the lower bin.
    index = np.searchsorted(edges[1:-1], p, side="left")
    rows = []
    for b in range(n_bins):
        members = index == b
        count = int(members.sum())
        if count:
            rows.append(
                {
                    "bin_low": round(float(edges[b]), 6),
                    "bin_high": round(float(edges[b + 1]), 6),
                    "mean_predicted": float(p[members].mean()),
                    "fraction_positive": float(labels[members].mean()),
                    "count": count,
                }
            )
    return rows


@dataclass(frozen=True)
class EvaluationReport:
    """Metrics of probabilistic scores against 0/1 outcomes. AUC fields are None for one class."""

    n: int
    n_positive: int
    auc: float | None
    auc_ci_low: float | None
    auc_ci_high: float | None
    brier: float
    calibration: list[dict[str, float]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _none_if_nan(value: float) -> float | None:
    return None if math.isnan(value) else value


def evaluate_scores(
    y: ArrayLike,
    probability: ArrayLike,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    with_calibration: bool = True,
) -> EvaluationReport:
    """ROC AUC with bootstrap interval, Brier score and calibration table."""
    labels = np.asarray(y).astype(int)
    p = np.asarray(probability, dtype=float)
    if labels.shape != p.shape:
        raise DataError("Outcomes and scores must have the same length.")
    if not len(labels):
        raise DataError("There is nothing to evaluate: no outcomes.")
    if not np.isin(labels, (0, 1)).all():
        raise DataError("Outcomes must be 0 or 1.")
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise DataError("Scores must be probabilities between 0 and 1.")
    low, high = roc_auc_interval(labels, p, n_resamples=n_resamples, seed=seed)
    return EvaluationReport(
        n=len(labels),
        n_positive=int(labels.sum()),
        auc=_none_if_nan(roc_auc(labels, p)),
        auc_ci_low=_none_if_nan(low),
        auc_ci_high=_none_if_nan(high),
        brier=float(brier_score_loss(labels, p, pos_label=1)),
        calibration=calibration_table(labels, p) if with_calibration else [],
    )


def evaluate_by_slice(
    y: ArrayLike,
    probability: ArrayLike,
    slices: Mapping[str, Sequence[str]],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, dict[str, dict[str, Any]]]:
    """The same metrics within each group of each slice, e.g. ``{"format": ["talk", …]}``.

    Returns ``{slice: {group: report}}``. Groups with one class get ``auc: None`` — a slice
    where the model cannot be judged is shown as such rather than hidden.
    """
    labels = np.asarray(y).astype(int)
    p = np.asarray(probability, dtype=float)
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for name, values in slices.items():
        groups = np.asarray([str(v) for v in values])
        if groups.shape != labels.shape:
            raise DataError(f"Slice {name!r} has {len(groups)} values for {len(labels)} outcomes.")
        result[name] = {
            group: evaluate_scores(
                labels[groups == group],
                p[groups == group],
                n_resamples=n_resamples,
                seed=seed,
                with_calibration=False,
            ).as_dict()
            for group in sorted(set(groups.tolist()))
        }
    return result


def _psi_bins(
    expected: NDArray[np.float64], actual: NDArray[np.float64], n_bins: int, floor: float
) -> tuple[float, NDArray[np.int_]]:
    """PSI and the 2 × B table of counts (expected, actual) over the deciles of ``expected``."""
    inner = np.unique(np.quantile(expected, np.linspace(0, 1, n_bins + 1)[1:-1]))
    bins = len(inner) + 1
    e_count = np.bincount(np.searchsorted(inner, expected, side="right"), minlength=bins)
    a_count = np.bincount(np.searchsorted(inner, actual, side="right"), minlength=bins)
    e_p = np.maximum(e_count / len(expected), floor)
    a_p = np.maximum(a_count / len(actual), floor)
    e_p, a_p = e_p / e_p.sum(), a_p / a_p.sum()
    psi = float(scipy.stats.entropy(a_p, e_p) + scipy.stats.entropy(e_p, a_p))
    return psi, np.vstack([e_count, a_count])


def _as_samples(expected: ArrayLike, actual: ArrayLike) -> tuple[NDArray[Any], NDArray[Any]]:
    e = np.asarray(expected, dtype=float)
    a = np.asarray(actual, dtype=float)
    if not len(e) or not len(a):
        raise DataError("PSI needs scores in both samples.")
    return e, a


def population_stability_index(
    expected: ArrayLike, actual: ArrayLike, *, n_bins: int = 10, floor: float = 1e-4
) -> float:
    """PSI of ``actual`` against ``expected`` over the deciles of ``expected``.

    PSI = Σ (aᵢ − eᵢ) ln(aᵢ/eᵢ), which equals KL(a‖e) + KL(e‖a); computed with
    ``scipy.stats.entropy``. Bin shares are floored at ``floor`` so an empty bin gives a large,
    finite value. Rule of thumb: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 large shift.
    """
    e, a = _as_samples(expected, actual)
    return _psi_bins(e, a, n_bins, floor)[0]


@dataclass(frozen=True)
class PsiTest:
    psi: float
    p_value: float
    bins: int
    chance_psi: float


def population_stability_test(
    expected: ArrayLike, actual: ArrayLike, *, n_bins: int = 10
) -> PsiTest:
    """PSI, and whether it is larger than sampling alone would make it.

    PSI measures the size of a shift but not its noise: to second order it equals Pearson's χ²
    divergence, so with no shift its expected value is about (B − 1)(1/n + 1/m) for n and m
    scores in B bins — ≈ 0.1 for a hundred proposals, the rule of thumb's first threshold. The
    p-value is scipy's χ² test of homogeneity on the same 2 × B table of counts.
    """
    e, a = _as_samples(expected, actual)
    psi, table = _psi_bins(e, a, n_bins, 1e-4)
    table = table[:, table.sum(axis=0) > 0]
    bins = table.shape[1]
    if bins < 2:
        p_value = 1.0
    else:
        p_value = float(scipy.stats.chi2_contingency(table, correction=False).pvalue)
    return PsiTest(
        psi=psi,
        p_value=p_value,
        bins=bins,
        chance_psi=(bins - 1) * (1 / len(e) + 1 / len(a)),
    )


@dataclass(frozen=True)
class LabelledTexts:
    documents: list[str]
    labels: list[int]


# Real exports have abstracts longer than the csv module's default 128 KiB field limit.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def read_labelled_csv(
    path: str | Path, *, text_columns: Sequence[str], label_column: str
) -> LabelledTexts:
    """Documents (text columns joined by newlines) and 0/1 labels from a CSV file with a header.

    Column names match exactly or, failing that, ignoring case. Empty or missing text cells
    count as empty text; undecodable bytes are replaced, not fatal. Raises ``DataError`` for a
    missing file or column, an empty file, or a label that is not 0 or 1.
    """
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", errors="replace", newline="")
    except OSError as error:
        raise DataError(f"Cannot read {path}: {error.strerror or error}.") from error
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames
        except csv.Error as error:
            raise DataError(f"{path} is not a readable CSV file: {error}.") from error
        if not header:
            raise DataError(f"{path} is empty: a header row is needed.")
        resolved = {name: _resolve_column(name, header, path) for name in text_columns}
        label_name = _resolve_column(label_column, header, path)
        documents: list[str] = []
        labels: list[int] = []
        try:
            for row in reader:
                line = reader.line_num
                raw_label = (row.get(label_name) or "").strip()
                if raw_label not in {"0", "1"}:
                    shown = repr(raw_label) if raw_label else "an empty cell"
                    raise DataError(
                        f"{path}, line {line}: label column {label_column!r} must be 0 or 1, "
                        f"found {shown}."
                    )
                labels.append(int(raw_label))
                texts = [(row.get(resolved[name]) or "").strip() for name in text_columns]
                documents.append("\n".join(t for t in texts if t))
        except csv.Error as error:
            raise DataError(f"{path}, line {reader.line_num}: {error}.") from error
    if not labels:
        raise DataError(f"{path} has a header but no rows.")
    return LabelledTexts(documents=documents, labels=labels)


def _resolve_column(name: str, header: Sequence[str], path: Path) -> str:
    if name in header:
        return name
    folded = [h for h in header if h.strip().casefold() == name.strip().casefold()]
    if len(folded) == 1:
        return folded[0]
    available = ", ".join(repr(h) for h in header)
    raise DataError(f"{path} has no column {name!r}; its columns are {available}.")
