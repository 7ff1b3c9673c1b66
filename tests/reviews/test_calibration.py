"""Calibration statistics against published values and against scipy/numpy on the same data."""

import math

import numpy as np
import pytest
from scipy import stats

from reviews import calibration
from reviews.calibration import ScoredReview

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers,
# 12 units, missing values. Published: nominal .743, ordinal .815, interval .849.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def units_of(matrix):
    return {
        unit: [row[unit] for row in matrix if row[unit] is not None]
        for unit in range(len(matrix[0]))
    }


@pytest.mark.parametrize(
    ("level", "published"), [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849)]
)
def test_alpha_matches_krippendorff_2011_published_values(level, published):
    alpha = calibration.krippendorff_alpha(units_of(KRIPPENDORFF_2011), level=level)
    assert alpha == pytest.approx(published, abs=0.0005)


def test_alpha_does_not_depend_on_which_rater_gave_which_rating():
    shuffled = {
        unit: list(reversed(values)) for unit, values in units_of(KRIPPENDORFF_2011).items()
    }
    assert calibration.krippendorff_alpha(shuffled) == pytest.approx(
        calibration.krippendorff_alpha(units_of(KRIPPENDORFF_2011))
    )


def test_alpha_is_one_for_perfect_agreement_and_negative_for_systematic_disagreement():
    assert calibration.krippendorff_alpha({1: [1, 1], 2: [5, 5], 3: [3, 3]}) == pytest.approx(1.0)
    assert calibration.krippendorff_alpha({1: [1, 5], 2: [5, 1], 3: [1, 5]}) < 0


def test_alpha_is_undefined_without_pairs_or_variation():
    assert calibration.krippendorff_alpha({1: [4], 2: [2]}) is None
    assert calibration.krippendorff_alpha({1: [3, 3], 2: [3, 3]}) is None
    assert calibration.krippendorff_alpha({}) is None


def test_z_scores_equal_scipy_zscore_per_reviewer():
    harsh = [1, 2, 2, 3]
    generous = [4, 5, 5, 3]
    reviews = [ScoredReview("harsh", f"p{i}", s) for i, s in enumerate(harsh)] + [
        ScoredReview("generous", f"p{i}", s) for i, s in enumerate(generous)
    ]
    zs = calibration.z_scores(reviews)
    for name, values in (("harsh", harsh), ("generous", generous)):
        expected = stats.zscore(values, ddof=1)
        got = [zs[(name, f"p{i}")] for i in range(len(values))]
        assert got == pytest.approx(list(expected))


def test_normalisation_makes_a_harsh_and_a_generous_reviewer_agree():
    # Same ranking, shifted by two points: raw means differ, z-scores coincide.
    reviews = [ScoredReview("harsh", p, s) for p, s in zip("abc", [1, 2, 3], strict=True)]
    reviews += [ScoredReview("generous", p, s) for p, s in zip("abc", [3, 4, 5], strict=True)]
    units = calibration.unit_scores(reviews)
    assert units["a"].spread == 2
    assert units["a"].normalised_z == pytest.approx(-1.0)
    assert units["c"].normalised_z == pytest.approx(1.0)
    all_scores = np.array([1, 2, 3, 3, 4, 5], dtype=float)
    assert units["c"].normalised_score == pytest.approx(all_scores.mean() + all_scores.std(ddof=1))


def test_reviewer_with_one_review_or_constant_scores_has_no_z():
    reviews = [
        ScoredReview("once", "a", 4),
        ScoredReview("flat", "a", 3),
        ScoredReview("flat", "b", 3),
    ]
    zs = calibration.z_scores(reviews)
    assert zs[("once", "a")] is None
    assert zs[("flat", "a")] is None
    stats_by = calibration.reviewer_stats(reviews)
    assert stats_by["once"].sd is None
    assert not stats_by["flat"].can_normalise
    assert calibration.unit_scores(reviews)["a"].normalised_z is None


def test_reviewer_stats_use_sample_standard_deviation():
    reviews = [ScoredReview("r", i, s) for i, s in enumerate([2, 4, 4, 5])]
    result = calibration.reviewer_stats(reviews)["r"]
    assert result.mean == pytest.approx(3.75)
    assert result.sd == pytest.approx(np.std([2, 4, 4, 5], ddof=1))


def test_disagreements_include_exactly_two_points_apart():
    found = calibration.disagreements({"a": [2.0, 4.0], "b": [3.0, 4.9], "c": [5.0]}, threshold=2)
    assert found == {"a": 2.0}
    assert not math.isnan(found["a"])
