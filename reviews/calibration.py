"""Score calibration: per-reviewer z-scores and inter-rater agreement. Pure functions, no Django.

Method (docs/reviews.md §Calibration):

- Each reviewer's scores in a conference are standardised with that reviewer's own mean and
  sample standard deviation (ddof = 1): z = (score − mean_r) / sd_r. A reviewer with fewer than
  two reviews, or who gave every proposal the same score, has no z-scores (None): their
  harshness cannot be estimated.
- A proposal's normalised score is the mean of its reviews' z-scores; shown on the score scale
  as ``grand mean + mean z × grand standard deviation`` of all reviews, so that chairs can read
  it like a raw score.
- Agreement is Krippendorff's alpha, computed by the maintained ``krippendorff`` package
  (Castro 2017) at the ordinal level for ratings on a scale; units with fewer than two
  ratings do not contribute (Krippendorff 2011, “Computing Krippendorff's alpha-reliability”).
"""

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import krippendorff
import numpy as np
from scipy import stats

Level = Literal["nominal", "ordinal", "interval", "ratio"]


@dataclass(frozen=True)
class ScoredReview:
    reviewer: Hashable
    unit: Hashable
    score: float


@dataclass(frozen=True)
class ReviewerStats:
    reviewer: Hashable
    count: int
    mean: float
    sd: float | None

    @property
    def can_normalise(self) -> bool:
        return self.sd is not None and self.sd > 0


def reviewer_stats(reviews: Iterable[ScoredReview]) -> dict[Hashable, ReviewerStats]:
    """Count, mean and sample standard deviation (ddof=1) of each reviewer's scores."""
    by_reviewer: dict[Hashable, list[float]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer].append(review.score)
    result = {}
    for reviewer, scores in by_reviewer.items():
        values = np.asarray(scores, dtype=float)
        sd = float(np.std(values, ddof=1)) if len(values) >= 2 else None
        result[reviewer] = ReviewerStats(reviewer, len(values), float(np.mean(values)), sd)
    return result


def z_scores(reviews: Sequence[ScoredReview]) -> dict[tuple[Hashable, Hashable], float | None]:
    """The z-score of every review within its reviewer's reviews; None where undefined."""
    by_reviewer: dict[Hashable, list[ScoredReview]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer].append(review)
    result: dict[tuple[Hashable, Hashable], float | None] = {}
    for reviewer, own in by_reviewer.items():
        values = np.asarray([r.score for r in own], dtype=float)
        if len(values) < 2 or float(np.std(values, ddof=1)) == 0.0:
            for review in own:
                result[(reviewer, review.unit)] = None
            continue
        for review, z in zip(own, stats.zscore(values, ddof=1), strict=True):
            result[(reviewer, review.unit)] = float(z)
    return result


@dataclass(frozen=True)
class UnitScore:
    unit: Hashable
    count: int
    raw_mean: float
    spread: float
    normalised_z: float | None
    normalised_score: float | None


def unit_scores(reviews: Sequence[ScoredReview]) -> dict[Hashable, UnitScore]:
    """Raw mean, spread (max − min) and normalised score of each unit (proposal)."""
    zs = z_scores(reviews)
    all_scores = np.asarray([r.score for r in reviews], dtype=float)
    grand_mean = float(np.mean(all_scores)) if len(all_scores) else 0.0
    grand_sd = float(np.std(all_scores, ddof=1)) if len(all_scores) >= 2 else 0.0
    by_unit: dict[Hashable, list[ScoredReview]] = defaultdict(list)
    for review in reviews:
        by_unit[review.unit].append(review)
    result = {}
    # Units have a handful of reviews each: plain float arithmetic (fsum, exact to the last
    # bit) is some 20× faster here than a NumPy call per unit, which mattered on a dashboard
    # with thousands of proposals.
    for unit, own in by_unit.items():
        scores = [r.score for r in own]
        unit_z = [z for r in own if (z := zs[(r.reviewer, unit)]) is not None]
        mean_z = math.fsum(unit_z) / len(unit_z) if unit_z else None
        result[unit] = UnitScore(
            unit=unit,
            count=len(own),
            raw_mean=math.fsum(scores) / len(scores),
            spread=float(max(scores) - min(scores)),
            normalised_z=mean_z,
            normalised_score=grand_mean + mean_z * grand_sd if mean_z is not None else None,
        )
    return result


def reliability_matrix[Unit: Hashable](units: Mapping[Unit, Sequence[float]]) -> np.ndarray:
    """Units' ratings as Krippendorff's reliability matrix (rows: rating slots, columns:
    units; NaN where a unit has fewer ratings). Which rater gave a rating does not enter alpha,
    so slots need not be the same person across units."""
    columns = [list(values) for values in units.values()]
    height = max((len(c) for c in columns), default=0)
    matrix = np.full((height, len(columns)), np.nan)
    for j, column in enumerate(columns):
        matrix[: len(column), j] = column
    return matrix


def krippendorff_alpha[Unit: Hashable](
    units: Mapping[Unit, Sequence[float]],
    *,
    level: Level = "ordinal",
    value_domain: Sequence[float] | None = None,
) -> float | None:
    """Krippendorff's alpha of the ratings per unit; None when it is undefined (no unit with
    two ratings, or a single value used throughout)."""
    pairable = {u: v for u, v in units.items() if len(v) >= 2}
    if not pairable:
        return None
    values = {x for v in pairable.values() for x in v}
    if len(values) < 2:
        return None
    domain = sorted(set(value_domain) | values) if value_domain is not None else None
    alpha = krippendorff.alpha(
        reliability_data=reliability_matrix(pairable),
        level_of_measurement=level,
        value_domain=domain,
    )
    return None if math.isnan(alpha) else float(alpha)


def disagreements[Unit: Hashable](
    units: Mapping[Unit, Sequence[float]], *, threshold: float
) -> dict[Unit, float]:
    """Units whose ratings differ by ``threshold`` or more, with their spread (max − min)."""
    result = {}
    for unit, values in units.items():
        if len(values) >= 2:
            spread = max(values) - min(values)
            if spread >= threshold - 1e-9:
                result[unit] = float(spread)
    return result
