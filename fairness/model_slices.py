"""The relevance model, sliced: does it score one group lower at equal decisions?

Pure numpy/statsmodels (no Django). For decided proposals with a relevance score, per slice value:

- the score distribution (10th, 25th, 50th, 75th and 90th percentiles, separately for accepted
  and not accepted proposals, so that a box plot compares like with like);
- ROC AUC with its bootstrap interval and the Brier score within the slice, and calibration in
  the large (mean score against the observed acceptance rate with its Wilson interval) — from
  ``ranking.evaluation`` and ``ranking.slices``;
- the **score gap at equal decisions**: the coefficient of "in this slice" in an ordinary least
  squares regression of the score on the slice indicator, the decision (accepted or not) and the
  format, with HC3 heteroskedasticity-robust standard errors (MacKinnon & White 1985; the
  scores are bounded, so their variance differs between groups). A negative gap means the model
  gives this group lower scores than other proposals with the same decision and format.

Gaps are tested two-sided; Benjamini-Hochberg q-values over the report's tests set the same
levels as the acceptance report ("alert" q <= 0.05, "watch" q <= 0.20); a slice or its rest
under ``min_n`` scored decisions is reported but not tested.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import statsmodels.api as sm

from ranking.evaluation import evaluate_scores
from ranking.slices import MISSING, level_for, q_values, wilson_interval

# Fewer bootstrap resamples than offline evaluation (2000): a dashboard recomputes often, and
# the interval's ends move by about 0.005 between 1000 and 2000 resamples at expo sizes.
AUC_RESAMPLES = 1000
PERCENTILES = (10, 25, 50, 75, 90)


def _box(scores: npt.NDArray[np.float64], *, min_cell: int) -> dict[str, float] | None:
    """Percentiles for a box plot whose whiskers end at the 10th and 90th percentiles.

    Whiskers do not reach the minimum and maximum, which would be individual proposals' scores.
    """
    if scores.shape[0] < min_cell:
        return None
    p10, q1, median, q3, p90 = (float(v) for v in np.percentile(scores, PERCENTILES))
    return {"n": int(scores.shape[0]), "p10": p10, "q1": q1, "median": median, "q3": q3, "p90": p90}


def _codes(values: npt.NDArray[np.object_]) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Integer codes of string values; "" becomes the label ``MISSING``, sorted last."""
    text = np.asarray([MISSING if v in ("", None) else str(v) for v in values], dtype=object)
    labels = sorted(set(text.tolist()), key=lambda v: (v == MISSING, v))
    index = {label: i for i, label in enumerate(labels)}
    return np.asarray([index[v] for v in text], dtype=np.int64), labels


def _dummies(values: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
    """Indicator columns of every level but the first (treatment coding)."""
    codes, labels = _codes(values)
    if len(labels) < 2:
        return np.zeros((values.shape[0], 0))
    return (codes[:, None] == np.arange(1, len(labels))[None, :]).astype(np.float64)


def score_gap(
    score: npt.NDArray[np.float64],
    in_slice: npt.NDArray[np.bool_],
    controls: npt.NDArray[np.float64],
) -> tuple[float, float, float, float] | None:
    """OLS coefficient of ``in_slice`` with its HC3 95% interval and p-value, adjusting for the
    ``controls`` columns; None when the design cannot separate the slice from the controls."""
    design = np.column_stack([np.ones(score.shape[0]), in_slice.astype(np.float64), controls])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        return None
    with np.errstate(all="ignore"):
        fit = sm.OLS(score, design).fit(cov_type="HC3")
        low, high = fit.conf_int(alpha=0.05)[1]
        values = (float(fit.params[1]), float(low), float(high), float(fit.pvalues[1]))
    if not all(math.isfinite(v) for v in values):
        return None
    return values


def model_slice_report(
    *,
    accepted: npt.NDArray[np.int8],
    score: npt.NDArray[np.float64],
    columns: Mapping[str, npt.NDArray[np.object_]],
    covariate: str | None,
    probability: bool,
    min_n: int,
    min_cell: int = 5,
) -> dict[str, Any]:
    """Per-slice score distribution, AUC, calibration and score gap at equal decision.

    ``columns`` are slice attributes (strings, "" unknown); ``covariate`` names the column held
    equal besides the decision (format); ``probability`` says whether the scores are calibrated
    probabilities (learned) — calibration and the Brier score mean nothing for topical scores.
    """
    y = np.asarray(accepted, dtype=np.int64)
    p = np.asarray(score, dtype=np.float64)
    n_total = int(y.shape[0])
    overall_report = evaluate_scores(y, p, seed=0, with_calibration=probability).as_dict()
    overall = {
        "n": n_total,
        "positives": int(y.sum()),
        "auc": overall_report["auc"],
        "auc_ci_low": overall_report["auc_ci_low"],
        "auc_ci_high": overall_report["auc_ci_high"],
        "brier": overall_report["brier"] if probability else None,
        "calibration": overall_report["calibration"],
        "mean_score": float(p.mean()),
        "observed_rate": float(y.mean()),
    }
    covariate_columns = (
        _dummies(columns[covariate]) if covariate else np.zeros((n_total, 0), dtype=np.float64)
    )
    entries: list[dict[str, Any]] = []
    for attribute, values in columns.items():
        codes, labels = _codes(values)
        controls = np.column_stack(
            [y.astype(np.float64)]
            + ([covariate_columns] if attribute != covariate and covariate_columns.size else [])
        )
        first = len(entries)
        for index, label in enumerate(labels):
            mask = codes == index
            n = int(mask.sum())
            positives = int(y[mask].sum())
            low, high = wilson_interval(np.array([positives]), np.array([n]))
            within = evaluate_scores(
                y[mask], p[mask], n_resamples=AUC_RESAMPLES, seed=0, with_calibration=False
            )
            entry: dict[str, Any] = {
                "attribute": attribute,
                "value": label,
                "n": n,
                "positives": positives,
                "rest_n": n_total - n,
                "observed_rate": positives / n,
                "ci_low": float(low[0]),
                "ci_high": float(high[0]),
                "mean_score": float(p[mask].mean()),
                "auc": within.auc,
                "auc_ci_low": within.auc_ci_low,
                "auc_ci_high": within.auc_ci_high,
                "brier": within.brier if probability else None,
                "box_accepted": _box(p[mask & (y == 1)], min_cell=min_cell),
                "box_not_accepted": _box(p[mask & (y == 0)], min_cell=min_cell),
                "gap": None,
                "gap_ci_low": None,
                "gap_ci_high": None,
                "p_value": None,
                "q_value": None,
                "level": "too_small",
                "flagged": False,
            }
            if min(n, n_total - n) >= min_n:
                gap = score_gap(p, mask, controls)
                if gap is None:
                    entry["level"] = "untestable"
                else:
                    entry["gap"], entry["gap_ci_low"], entry["gap_ci_high"] = gap[:3]
                    entry["p_value"] = gap[3]
                    entry["level"] = "ok"
            entries.append(entry)
        # A two-valued attribute is one test: one value's gap is the other's, negated.
        own = entries[first:]
        if len(own) == 2 and all(e["p_value"] is not None for e in own):
            own[1]["twin"] = first
    family = [i for i, e in enumerate(entries) if e["p_value"] is not None and "twin" not in e]
    q_of = dict(zip(family, q_values([entries[i]["p_value"] for i in family]), strict=True))
    for index, entry in enumerate(entries):
        source = entry.pop("twin", index)
        if source in q_of:
            entry["q_value"] = q_of[source]
            entry["level"] = level_for(q_of[source])
            entry["flagged"] = entry["level"] == "alert"
    return {"overall": overall, "slices": entries, "tests": len(family)}
