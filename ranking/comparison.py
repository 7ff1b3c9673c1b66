"""Paired comparison of two relevance models on the same decided proposals — pure numpy/scipy.

Both models scored each proposal before its decision, so the comparison is *paired*: a
bootstrap resample draws proposals, and both models' AUC and Brier score are computed on the
same draw. The interval of the difference is then much narrower than comparing two unpaired
intervals, because whatever makes a sample easy or hard affects both models alike.

- Resampling is stratified (accepted and not-accepted proposals are drawn separately, as in
  ``ranking.evaluation.roc_auc_interval``) so that every resample has both classes.
- The interval is the percentile interval (Efron & Tibshirani 1993, §13.3).
- Verdict on ΔAUC = AUC(candidate) − AUC(baseline): *better* when the whole 95% interval is
  above 0, *worse* when it is below 0, else *indistinguishable*. The Brier score gets the same
  rule with the sign turned round (lower is better).

Tested against an explicit loop over the same draws with scikit-learn's metrics and against
scipy's paired bootstrap (tests/ranking/test_comparison_statistics.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ranking.evaluation import _auc_statistic, calibration_table, roc_auc

Verdict = Literal["better", "worse", "indistinguishable"]
DEFAULT_RESAMPLES = 2000
SLICE_RESAMPLES = 1000
# Enough online evidence for promotion to use it instead of the offline metrics: at least this
# many decided proposals scored by both models before their decision, with at least
# MIN_ONLINE_PER_CLASS accepted and as many not accepted. With fewer, an AUC interval is wider
# than ±0.2 and says little (docs/relevance.md).
MIN_ONLINE_PAIRED = 30
MIN_ONLINE_PER_CLASS = 10
# A slice's gap gets an interval only with this many of each class in it.
MIN_SLICE_PER_CLASS = 5
# Resampled matrices are built in batches of at most this many cells.
BATCH_CELLS = 4_000_000

VERDICT_RULE = (
    "Better: the whole 95% paired-bootstrap interval of the difference is in the candidate's "
    "favour. Worse: it is wholly against the candidate. Indistinguishable: the interval "
    "contains 0."
)


def resample_batches(n_resamples: int, n: int) -> Iterator[int]:
    """Sizes of the batches of resamples drawn one after the other from the generator."""
    batch = max(1, min(n_resamples, BATCH_CELLS // max(1, n)))
    done = 0
    while done < n_resamples:
        size = min(batch, n_resamples - done)
        yield size
        done += size


def verdict(low: float | None, high: float | None, *, lower_is_better: bool = False) -> Verdict:
    """The rule above, for the interval of (candidate − baseline)."""
    if low is None or high is None:
        return "indistinguishable"
    favour_low, favour_high = (-high, -low) if lower_is_better else (low, high)
    if favour_low > 0:
        return "better"
    if favour_high < 0:
        return "worse"
    return "indistinguishable"


@dataclass(frozen=True)
class PairedDifference:
    """One metric of two models on the same proposals, and its paired interval."""

    baseline: float | None
    candidate: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: Verdict


@dataclass(frozen=True)
class PairedComparison:
    n: int
    n_positive: int
    auc: PairedDifference
    brier: PairedDifference
    calibration_baseline: list[dict[str, float]] = field(default_factory=list)
    calibration_candidate: list[dict[str, float]] = field(default_factory=list)
    n_resamples: int = DEFAULT_RESAMPLES
    confidence: float = 0.95

    @property
    def enough_for_promotion(self) -> bool:
        negatives = self.n - self.n_positive
        return (
            self.n >= MIN_ONLINE_PAIRED
            and self.n_positive >= MIN_ONLINE_PER_CLASS
            and negatives >= MIN_ONLINE_PER_CLASS
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _checked(
    y: ArrayLike, baseline: ArrayLike, candidate: ArrayLike
) -> tuple[NDArray[np.int_], NDArray[np.float64], NDArray[np.float64]]:
    labels = np.asarray(y).astype(int)
    a = np.asarray(baseline, dtype=float)
    b = np.asarray(candidate, dtype=float)
    if not (labels.shape == a.shape == b.shape) or labels.ndim != 1:
        raise ValueError("Outcomes and both models' scores must be equally long sequences.")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError("Outcomes must be 0 or 1.")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError("Scores must be finite numbers.")
    return labels, a, b


def paired_bootstrap_differences(
    y: ArrayLike,
    baseline: ArrayLike,
    candidate: ArrayLike,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """ΔAUC and ΔBrier (candidate − baseline) for each stratified paired resample.

    For each batch, the generator draws the positives' indices (batch × n₊), then the
    negatives' (batch × n₋); both models are evaluated on the same rows. Needs at least two
    members in each class.
    """
    labels, a, b = _checked(y, baseline, candidate)
    positive, negative = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    if len(positive) < 2 or len(negative) < 2:
        raise ValueError("A paired bootstrap needs at least two proposals of each class.")
    rng = np.random.default_rng(seed)
    auc_parts: list[NDArray[np.float64]] = []
    brier_parts: list[NDArray[np.float64]] = []
    error_a, error_b = (a - labels) ** 2, (b - labels) ** 2
    for size in resample_batches(n_resamples, len(labels)):
        rows_p = positive[rng.integers(0, len(positive), size=(size, len(positive)))]
        rows_n = negative[rng.integers(0, len(negative), size=(size, len(negative)))]
        auc_a = _auc_statistic(a[rows_p], a[rows_n], axis=1)
        auc_b = _auc_statistic(b[rows_p], b[rows_n], axis=1)
        auc_parts.append(auc_b - auc_a)
        total = error_b[rows_p].sum(axis=1) + error_b[rows_n].sum(axis=1)
        total -= error_a[rows_p].sum(axis=1) + error_a[rows_n].sum(axis=1)
        brier_parts.append(total / len(labels))
    return np.concatenate(auc_parts), np.concatenate(brier_parts)


def _interval(values: NDArray[np.float64], confidence: float) -> tuple[float, float]:
    alpha = 1.0 - confidence
    low, high = np.quantile(values, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def _none_if_nan(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def paired_comparison(
    y: ArrayLike,
    baseline: ArrayLike,
    candidate: ArrayLike,
    *,
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    confidence: float = 0.95,
    with_calibration: bool = True,
    with_interval: bool = True,
) -> PairedComparison:
    """Both models' AUC and Brier score on the same proposals, with paired intervals."""
    labels, a, b = _checked(y, baseline, candidate)
    auc_a, auc_b = _none_if_nan(roc_auc(labels, a)), _none_if_nan(roc_auc(labels, b))
    brier_a = float(np.mean((a - labels) ** 2)) if len(labels) else None
    brier_b = float(np.mean((b - labels) ** 2)) if len(labels) else None
    auc_low = auc_high = brier_low = brier_high = None
    if with_interval and min(int(labels.sum()), int((1 - labels).sum())) >= 2:
        d_auc, d_brier = paired_bootstrap_differences(
            labels, a, b, n_resamples=n_resamples, seed=seed
        )
        auc_low, auc_high = _interval(d_auc, confidence)
        brier_low, brier_high = _interval(d_brier, confidence)
    return PairedComparison(
        n=len(labels),
        n_positive=int(labels.sum()),
        auc=PairedDifference(
            baseline=auc_a,
            candidate=auc_b,
            difference=None if auc_a is None or auc_b is None else auc_b - auc_a,
            ci_low=auc_low,
            ci_high=auc_high,
            verdict=verdict(auc_low, auc_high),
        ),
        brier=PairedDifference(
            baseline=brier_a,
            candidate=brier_b,
            difference=None if brier_a is None or brier_b is None else brier_b - brier_a,
            ci_low=brier_low,
            ci_high=brier_high,
            verdict=verdict(brier_low, brier_high, lower_is_better=True),
        ),
        calibration_baseline=calibration_table(labels, a) if with_calibration and len(a) else [],
        calibration_candidate=calibration_table(labels, b) if with_calibration and len(b) else [],
        n_resamples=n_resamples,
        confidence=confidence,
    )


@dataclass(frozen=True)
class SliceGap:
    """Both models within one group: AUCs, the candidate's gain and (when judgeable) its
    paired interval."""

    slice: str
    group: str
    n: int
    n_positive: int
    auc_baseline: float | None
    auc_candidate: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    verdict: Verdict | None


def slice_gaps(
    y: ArrayLike,
    baseline: ArrayLike,
    candidate: ArrayLike,
    slices: Mapping[str, Sequence[str]],
    *,
    n_resamples: int = SLICE_RESAMPLES,
    seed: int = 0,
) -> list[SliceGap]:
    """The paired comparison within each group of each slice.

    Groups with fewer than ``MIN_SLICE_PER_CLASS`` of either class get point estimates (or
    none) and no verdict: a verdict on a handful of proposals would be noise.
    """
    labels, a, b = _checked(y, baseline, candidate)
    gaps: list[SliceGap] = []
    for name, values in slices.items():
        groups = np.asarray([str(v) for v in values])
        if groups.shape != labels.shape:
            raise ValueError(f"Slice {name!r} has {len(groups)} values for {len(labels)} outcomes.")
        for group in sorted(set(groups.tolist())):
            mask = groups == group
            positives = int(labels[mask].sum())
            judged = min(positives, int(mask.sum()) - positives) >= MIN_SLICE_PER_CLASS
            part = paired_comparison(
                labels[mask],
                a[mask],
                b[mask],
                n_resamples=n_resamples,
                seed=seed,
                with_calibration=False,
                with_interval=judged,
            )
            gaps.append(
                SliceGap(
                    slice=name,
                    group=group,
                    n=part.n,
                    n_positive=part.n_positive,
                    auc_baseline=part.auc.baseline,
                    auc_candidate=part.auc.candidate,
                    difference=part.auc.difference,
                    ci_low=part.auc.ci_low,
                    ci_high=part.auc.ci_high,
                    verdict=part.auc.verdict if judged else None,
                )
            )
    return gaps
