"""Each statistic of ranking/slices.py against scipy/statsmodels and against published values."""

import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from ranking.slices import (
    Comparison,
    exact_conditional_pvalue,
    informative_strata,
    level_for,
    odds_ratio_change_pvalue,
    q_values,
    score_strata,
    slice_compare,
    wilson_interval,
)

# Penicillin and rabbits (Mantel 1963; Agresti 1990 pp. 231-237), as in the example of R's
# mantelhaen.test: per penicillin level, rows = injection immediate / delayed 1.5 h,
# columns = cured / died. R's documentation: classical CMH test "p = 0.047", exact conditional
# test "p = 0.040" (R prints 0.03994).
RABBITS = np.array(
    [
        [[0, 6], [0, 5]],  # 1/8
        [[3, 3], [0, 6]],  # 1/4
        [[6, 0], [2, 4]],  # 1/2
        [[5, 1], [6, 0]],  # 1
        [[2, 0], [5, 0]],  # 4
    ]
)

# UC Berkeley graduate admissions 1973 (Bickel, Hammel & O'Connell 1975, Science 187:398), R's
# UCBAdmissions: per department, rows = male / female, columns = admitted / rejected.
UCB = np.array(
    [
        [[512, 313], [89, 19]],  # A
        [[353, 207], [17, 8]],  # B
        [[120, 205], [202, 391]],  # C
        [[138, 279], [131, 244]],  # D
        [[53, 138], [94, 299]],  # E
        [[22, 351], [24, 317]],  # F
    ]
)


def test_wilson_interval_matches_newcombe_1998_examples():
    # Newcombe (1998), Statistics in Medicine 17:857-872: the worked examples 81/263, 15/148,
    # 0/20 and 1/29 with the Wilson score interval (no continuity correction), to 4 decimals.
    low, high = wilson_interval(np.array([81, 15, 0, 1]), np.array([263, 148, 20, 29]))
    assert np.round(low, 4).tolist() == [0.2553, 0.0624, 0.0, 0.0061]
    assert np.round(high, 4).tolist() == [0.3662, 0.1605, 0.1611, 0.1718]


def test_wilson_interval_for_zero_successes_is_z_squared_over_n_plus_z_squared():
    # With 0 of n the Wilson interval is [0, z^2 / (n + z^2)]: checkable by hand.
    z2 = stats.norm.ppf(0.975) ** 2
    low, high = wilson_interval(np.array([0]), np.array([10]))
    assert low[0] == pytest.approx(0.0, abs=1e-12)
    assert high[0] == pytest.approx(z2 / (10 + z2), rel=1e-12)
    assert high[0] == pytest.approx(0.2775, abs=1e-4)


def test_wilson_interval_matches_statsmodels_on_random_counts():
    rng = np.random.default_rng(3)
    n = rng.integers(1, 500, size=50)
    positives = rng.integers(0, n + 1)
    low, high = wilson_interval(positives, n)
    ref_low, ref_high = proportion_confint(positives, n, alpha=0.05, method="wilson")
    np.testing.assert_allclose(low, ref_low, rtol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=1e-12)


def test_slice_compare_large_table_matches_statsmodels_wald():
    table = np.array([[120, 380], [900, 1600]])
    result = slice_compare(table[None])
    reference = Table2x2(table)
    assert result.method == "wald"
    assert result.odds_ratio == pytest.approx(reference.oddsratio, rel=1e-12)
    assert (result.or_ci_low, result.or_ci_high) == pytest.approx(
        reference.oddsratio_confint(alpha=0.05), rel=1e-12
    )
    assert result.p_value == pytest.approx(reference.log_oddsratio_pvalue(), rel=1e-12)
    # Hand formula: OR = ad/bc, Woolf's SE of log OR = sqrt(1/a + 1/b + 1/c + 1/d).
    assert result.odds_ratio == pytest.approx(120 * 1600 / (380 * 900))
    se = math.sqrt(1 / 120 + 1 / 380 + 1 / 900 + 1 / 1600)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(abs(math.log(result.odds_ratio)) / se))


def test_slice_compare_wald_p_below_005_exactly_when_interval_excludes_one():
    rng = np.random.default_rng(11)
    for _ in range(200):
        table = rng.integers(20, 80, size=(2, 2))
        result = slice_compare(table[None])
        assert result.method == "wald"
        assert result.p_value is not None
        assert result.or_ci_low is not None
        assert result.or_ci_high is not None
        excludes_one = result.or_ci_low > 1 or result.or_ci_high < 1
        assert (result.p_value < 0.05) == excludes_one


def test_slice_compare_small_expected_counts_use_fisher_exact():
    # Fisher's lady tasting tea (Fisher 1935): 3 of 4 cups right; two-sided p = 34/70.
    tea = np.array([[3, 1], [1, 3]])
    result = slice_compare(tea[None])
    assert result.method == "fisher"
    assert result.p_value == pytest.approx(34 / 70)
    assert result.p_value == pytest.approx(stats.fisher_exact(tea).pvalue)
    conditional = odds_ratio(tea, kind="conditional")
    assert result.odds_ratio == pytest.approx(conditional.statistic)
    interval = conditional.confidence_interval(confidence_level=0.95)
    assert (result.or_ci_low, result.or_ci_high) == pytest.approx((interval.low, interval.high))


def test_slice_compare_zero_cell_uses_fisher_even_when_expected_counts_are_large():
    # No one in the slice accepted, 30% of the rest: Woolf's interval would be undefined.
    table = np.array([[0, 60], [300, 700]])
    result = slice_compare(table[None])
    assert result.method == "fisher"
    assert result.p_value == pytest.approx(stats.fisher_exact(table).pvalue)
    assert result.odds_ratio == pytest.approx(0.0)
    assert result.or_ci_low == pytest.approx(0.0)
    assert result.or_ci_high is not None
    assert result.or_ci_high < 1


def test_slice_compare_ucb_admissions_matches_r_mantelhaen_test():
    # R: mantelhaen.test(UCBAdmissions) prints X-squared = 1.4269, p-value = 0.2323,
    # common odds ratio 0.9046968, 95% CI 0.7719074 1.0603298.
    result = slice_compare(UCB)
    assert result.method == "cmh"
    assert result.p_value == pytest.approx(0.2323, abs=5e-5)
    assert result.odds_ratio == pytest.approx(0.9046968, abs=5e-7)
    assert result.or_ci_low == pytest.approx(0.7719074, abs=5e-7)
    assert result.or_ci_high == pytest.approx(1.0603298, abs=5e-7)
    reference = StratifiedTable(np.transpose(UCB, (1, 2, 0)).astype(float))
    assert result.p_value == pytest.approx(reference.test_null_odds(correction=True).pvalue)
    # Without the continuity correction the p-value would differ: the test sees the choice.
    assert abs(reference.test_null_odds(correction=False).pvalue - result.p_value) > 0.01


def test_slice_compare_ucb_breslow_day_matches_published_value():
    # Breslow-Day for UCBAdmissions: X-squared = 18.83, df = 5, p = 0.00207 (e.g. R DescTools
    # BreslowDayTest(UCBAdmissions)); Tarone's adjustment barely moves it here.
    result = slice_compare(UCB)
    assert result.homogeneity_p == pytest.approx(0.002071, abs=5e-6)
    reference = StratifiedTable(np.transpose(UCB, (1, 2, 0)).astype(float))
    assert result.homogeneity_p == pytest.approx(reference.test_equal_odds(adjust=True).pvalue)


def test_slice_compare_rabbits_uses_exact_test_and_matches_r():
    # Few rabbits per level: the Mantel-Fleiss criterion fails, so the exact conditional test.
    result = slice_compare(RABBITS)
    assert result.method == "exact_conditional"
    assert result.p_value == pytest.approx(0.03994, abs=5e-6)
    # Mantel-Haenszel estimate by hand: sum(ad/n) / sum(bc/n) = (18/12 + 24/12) / (6/12) = 7.
    assert result.odds_ratio == pytest.approx(7.0)


def test_cmh_continuity_corrected_rabbits_matches_r_documentation():
    # The classical test R reports for the same data ("p = 0.047"), computed as we compute CMH.
    reference = StratifiedTable(np.transpose(informative_strata(RABBITS), (1, 2, 0)).astype(float))
    test = reference.test_null_odds(correction=True)
    assert test.pvalue == pytest.approx(0.047, abs=5e-4)
    assert test.statistic == pytest.approx(3.9286, abs=5e-5)


def test_slice_compare_skips_strata_without_information():
    # Levels 1/8 (nobody cured) and 4 (nobody died) say nothing about the association.
    kept = informative_strata(RABBITS)
    assert kept.shape[0] == 3
    full, reduced = slice_compare(RABBITS), slice_compare(kept)
    assert full.strata_used == reduced.strata_used == 3
    assert full.p_value == reduced.p_value
    assert full.odds_ratio == reduced.odds_ratio
    assert full.homogeneity_p is not None
    reference = StratifiedTable(np.transpose(kept, (1, 2, 0)).astype(float))
    assert full.homogeneity_p == pytest.approx(reference.test_equal_odds(adjust=True).pvalue)


def test_slice_compare_slice_absent_from_every_stratum_is_untestable():
    # The slice is entirely in stratum 0, where every proposal was accepted.
    tables = np.array([[[10, 0], [5, 0]], [[0, 0], [20, 30]]])
    result = slice_compare(tables)
    assert result.method == "none"
    assert result.p_value is None
    assert result.odds_ratio is None


def test_exact_conditional_pvalue_with_one_stratum_equals_fisher():
    rng = np.random.default_rng(5)
    for _ in range(30):
        table = rng.integers(0, 15, size=(2, 2))
        if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
            continue
        assert exact_conditional_pvalue(table[None]) == pytest.approx(
            stats.fisher_exact(table).pvalue, rel=1e-9
        )


def test_exact_conditional_pvalue_matches_brute_force_enumeration():
    # Under OR = 1 each stratum's a is hypergeometric; enumerate all (a1, a2) by hand.
    tables = np.array([[[2, 3], [1, 6]], [[4, 1], [2, 3]]])
    pmfs = []
    for (a, b), (c, d) in tables:
        n1, m1, total = a + b, a + c, a + b + c + d
        support = range(max(0, m1 - (c + d)), min(n1, m1) + 1)
        pmfs.append({x: stats.hypergeom.pmf(x, total, m1, n1) for x in support})
    distribution: dict[int, float] = {}
    for x1, p1 in pmfs[0].items():
        for x2, p2 in pmfs[1].items():
            distribution[x1 + x2] = distribution.get(x1 + x2, 0.0) + p1 * p2
    observed = distribution[int(tables[:, 0, 0].sum())]
    expected = sum(p for p in distribution.values() if p <= observed * (1 + 1e-7))
    assert exact_conditional_pvalue(tables) == pytest.approx(expected)


def test_q_values_match_statsmodels_benjamini_hochberg():
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    assert q_values(p) == pytest.approx(list(multipletests(p, method="fdr_bh")[1]))
    # Hand check of the largest: q = p_(m) * m / m.
    assert q_values(p)[-1] == pytest.approx(0.216)
    assert q_values([]) == []


def test_level_thresholds_are_inclusive():
    assert level_for(0.05) == "alert"
    assert level_for(0.0500001) == "watch"
    assert level_for(0.20) == "watch"
    assert level_for(0.2000001) == "ok"


def test_score_strata_are_quintiles_with_missing_scores_apart():
    score = np.concatenate([np.linspace(0, 1, 1000), [np.nan] * 7])
    bins = score_strata(score, bins=5)
    assert np.bincount(bins).tolist() == [200, 200, 200, 200, 200, 7]
    assert (bins[:200] == 0).all()
    assert (bins[-7:] == 5).all()


def test_score_strata_within_groups_use_each_groups_quantiles():
    score = np.concatenate([np.linspace(0, 1, 100), np.linspace(10, 20, 100)])
    groups = np.repeat([0, 1], 100)
    bins = score_strata(score, bins=4, groups=groups)
    assert np.bincount(bins[:100]).tolist() == [25, 25, 25, 25]
    assert np.bincount(bins[100:]).tolist() == [25, 25, 25, 25]


def test_odds_ratio_change_matches_logistic_interaction_wald_test():
    # Two periods, one 2x2 table each: in the saturated logistic model the interaction's Wald
    # test is exactly the difference of the two log odds ratios over Woolf's standard errors.
    before = np.array([[40, 60], [300, 300]])
    now = np.array([[20, 80], [310, 290]])
    change = odds_ratio_change_pvalue(slice_compare(now[None]), slice_compare(before[None]))

    rows = []
    for period, table in ((0, before), (1, now)):
        for in_slice, (positives, negatives) in ((1, table[0]), (0, table[1])):
            rows.append((period, in_slice, positives, negatives))
    data = np.array(rows, dtype=float)
    period, in_slice = data[:, 0], data[:, 1]
    exog = sm.add_constant(np.column_stack([period, in_slice, period * in_slice]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a saturated model has no residual degrees of freedom
        fit = sm.GLM(data[:, 2:4], exog, family=sm.families.Binomial()).fit(tol=1e-14)
    assert change == pytest.approx(fit.pvalues[3], rel=1e-6)


def test_odds_ratio_change_is_undefined_without_a_log_odds_ratio():
    defined = slice_compare(np.array([[[40, 60], [300, 300]]]))
    undefined = Comparison(None, None, None, 0.5, "fisher", 1)
    assert odds_ratio_change_pvalue(defined, undefined) is None
