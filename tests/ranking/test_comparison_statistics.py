"""The paired comparison of two models, against reference computations."""

import numpy as np
import pytest
import scipy.stats
from sklearn.metrics import brier_score_loss, roc_auc_score

from ranking.comparison import (
    paired_bootstrap_differences,
    paired_comparison,
    resample_batches,
    slice_gaps,
    verdict,
)


def two_models(n: int = 200, seed: int = 3, gain: float = 0.0):
    """Outcomes, a baseline's scores, and a candidate's that see the outcome ``gain`` better."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    signal = rng.normal(size=n) + 0.6 * y
    baseline = scipy.special.expit(signal + rng.normal(scale=1.0, size=n))
    candidate = scipy.special.expit(signal + gain * y + rng.normal(scale=1.0, size=n))
    return y, baseline, candidate


def explicit_loop(y, a, b, *, n_resamples, seed):
    """The same resamples as the implementation, one at a time, with scikit-learn's metrics."""
    rng = np.random.default_rng(seed)
    positive, negative = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    d_auc, d_brier = [], []
    for size in resample_batches(n_resamples, len(y)):
        rows_p = rng.integers(0, len(positive), size=(size, len(positive)))
        rows_n = rng.integers(0, len(negative), size=(size, len(negative)))
        for r in range(size):
            rows = np.concatenate([positive[rows_p[r]], negative[rows_n[r]]])
            d_auc.append(roc_auc_score(y[rows], b[rows]) - roc_auc_score(y[rows], a[rows]))
            d_brier.append(brier_score_loss(y[rows], b[rows]) - brier_score_loss(y[rows], a[rows]))
    return np.asarray(d_auc), np.asarray(d_brier)


def test_paired_bootstrap_matches_an_explicit_loop_with_the_same_draws():
    y, a, b = two_models(n=120, gain=0.5)
    fast_auc, fast_brier = paired_bootstrap_differences(y, a, b, n_resamples=300, seed=11)
    slow_auc, slow_brier = explicit_loop(y, a, b, n_resamples=300, seed=11)
    np.testing.assert_allclose(fast_auc, slow_auc, atol=1e-12)
    np.testing.assert_allclose(fast_brier, slow_brier, atol=1e-12)


def test_paired_bootstrap_matches_the_loop_across_several_batches(monkeypatch):
    monkeypatch.setattr("ranking.comparison.BATCH_CELLS", 1000)  # 100 rows → 10 per batch
    y, a, b = two_models(n=100, gain=0.3)
    assert len(list(resample_batches(45, 100))) == 5
    fast_auc, _ = paired_bootstrap_differences(y, a, b, n_resamples=45, seed=2)
    slow_auc, _ = explicit_loop(y, a, b, n_resamples=45, seed=2)
    np.testing.assert_allclose(fast_auc, slow_auc, atol=1e-12)


def test_paired_interval_agrees_with_scipys_paired_bootstrap():
    # scipy resamples pairs without stratifying by class; with 400 proposals both intervals
    # estimate the same sampling distribution.
    y, a, b = two_models(n=400, gain=0.4)

    def rank_sum_auc(labels, scores):
        # Wilcoxon rank-sum form of the AUC, row by row (Hanley & McNeil 1982).
        ranks = scipy.stats.rankdata(scores, axis=-1)
        n1 = labels.sum(axis=-1)
        u = (ranks * labels).sum(axis=-1) - n1 * (n1 + 1) / 2
        return u / (n1 * (labels.shape[-1] - n1))

    def difference(labels, first, second, axis=-1):
        return rank_sum_auc(labels, second) - rank_sum_auc(labels, first)

    reference = scipy.stats.bootstrap(
        (y, a, b),
        difference,
        paired=True,
        vectorized=True,
        n_resamples=2000,
        method="percentile",
        rng=np.random.default_rng(5),
    ).confidence_interval
    ours = paired_comparison(y, a, b, n_resamples=2000, seed=5).auc
    assert ours.ci_low == pytest.approx(reference.low, abs=0.015)
    assert ours.ci_high == pytest.approx(reference.high, abs=0.015)


def test_paired_interval_is_narrower_than_the_unpaired_intervals_suggest():
    y, a, b = two_models(n=300, gain=0.3)
    paired = paired_comparison(y, a, b, seed=1).auc
    width = paired.ci_high - paired.ci_low
    # Two independent intervals of single AUCs would be about sqrt(2) × one AUC interval wide;
    # pairing removes the shared sampling noise.
    single = scipy.stats.bootstrap(
        (b[y == 1], b[y == 0]),
        lambda p, n, axis=-1: (
            scipy.stats.mannwhitneyu(p, n, axis=axis).statistic / (p.shape[axis] * n.shape[axis])
        ),
        vectorized=True,
        n_resamples=1000,
        method="percentile",
        rng=np.random.default_rng(0),
    ).confidence_interval
    assert width < np.sqrt(2) * (single.high - single.low)


def test_point_estimates_are_sklearns():
    y, a, b = two_models()
    result = paired_comparison(y, a, b, n_resamples=200)
    assert result.auc.baseline == pytest.approx(roc_auc_score(y, a))
    assert result.auc.candidate == pytest.approx(roc_auc_score(y, b))
    assert result.brier.difference == pytest.approx(brier_score_loss(y, b) - brier_score_loss(y, a))


def test_verdicts_follow_the_stated_rule():
    y, a, b = two_models(n=400, gain=2.0)
    assert paired_comparison(y, a, b, n_resamples=500).auc.verdict == "better"
    assert paired_comparison(y, b, a, n_resamples=500).auc.verdict == "worse"
    same = paired_comparison(y, a, a.copy(), n_resamples=500)
    assert same.auc.verdict == "indistinguishable"
    assert same.auc.ci_low == same.auc.ci_high == 0
    assert verdict(-0.01, 0.02) == "indistinguishable"
    assert verdict(-0.03, -0.01, lower_is_better=True) == "better"  # Brier went down
    assert verdict(None, None) == "indistinguishable"


def test_enough_evidence_needs_thirty_proposals_and_ten_of_each_class():
    y, a, b = two_models(n=60)
    assert paired_comparison(y, a, b, n_resamples=100).enough_for_promotion
    few = np.r_[np.ones(9, int), np.zeros(40, int)]
    rng = np.random.default_rng(0)
    scores = rng.random(49)
    assert not paired_comparison(few, scores, scores, n_resamples=100).enough_for_promotion
    assert not paired_comparison(y[:29], a[:29], b[:29], n_resamples=100).enough_for_promotion


def test_one_class_gives_no_auc_and_no_interval():
    result = paired_comparison([1, 1, 1], [0.2, 0.5, 0.7], [0.3, 0.4, 0.9])
    assert result.auc.baseline is None
    assert result.auc.ci_low is None
    assert result.auc.verdict == "indistinguishable"
    assert result.brier.baseline == pytest.approx(np.mean([0.64, 0.25, 0.09]))


def test_slice_gaps_judge_only_groups_with_five_of_each_class():
    y, a, b = two_models(n=200, gain=1.5)
    groups = np.where(np.arange(200) < 180, "large", "tiny")
    groups[180:] = "tiny"
    y[180:] = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    gaps = {g.group: g for g in slice_gaps(y, a, b, {"tier": list(groups)}, n_resamples=300)}
    assert gaps["large"].verdict == "better"
    assert gaps["large"].n == 180
    assert gaps["tiny"].verdict is None
    assert gaps["tiny"].ci_low is None
    assert gaps["tiny"].difference is not None


def test_mismatched_or_bad_input_is_refused():
    with pytest.raises(ValueError, match="equally long"):
        paired_comparison([0, 1], [0.1, 0.2], [0.3])
    with pytest.raises(ValueError, match="0 or 1"):
        paired_comparison([0, 2], [0.1, 0.2], [0.3, 0.4])
    with pytest.raises(ValueError, match="finite"):
        paired_comparison([0, 1], [0.1, np.nan], [0.3, 0.4])
