"""slice_report: q-values, levels, small slices, strata, score adjustment, editions, JSON."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from ranking.slices import MISSING, SliceInputError, slice_report

# UC Berkeley 1973 admissions (Bickel, Hammel & O'Connell 1975): department, gender, admitted,
# rejected. The textbook Simpson's paradox: women are admitted less overall, not within
# departments.
UCB_COUNTS = [
    ("A", "Male", 512, 313),
    ("A", "Female", 89, 19),
    ("B", "Male", 353, 207),
    ("B", "Female", 17, 8),
    ("C", "Male", 120, 205),
    ("C", "Female", 202, 391),
    ("D", "Male", 138, 279),
    ("D", "Female", 131, 244),
    ("E", "Male", 53, 138),
    ("E", "Female", 94, 299),
    ("F", "Male", 22, 351),
    ("F", "Female", 24, 317),
]


def _ucb_rows() -> dict[str, list]:
    columns: dict[str, list] = {"dept": [], "gender": [], "admitted": []}
    for dept, gender, admitted, rejected in UCB_COUNTS:
        columns["dept"] += [dept] * (admitted + rejected)
        columns["gender"] += [gender] * (admitted + rejected)
        columns["admitted"] += [1] * admitted + [0] * rejected
    return columns


def _by_value(report, attribute):
    return {s.value: s for s in report.slices if s.attribute == attribute}


def _random_table(seed: int, n: int = 3000) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    region = rng.choice(np.array(["NA", "EU", "APAC", "LATAM"]), n)
    tier = rng.choice(np.array(["gold", "silver", "startup"]), n)
    size = rng.choice(np.array(["small", "large"]), n)
    rate = 0.4 - 0.15 * (region == "LATAM")
    accepted = (rng.random(n) < rate).astype(int)
    return {"accepted": accepted, "region": region, "tier": tier, "size": size}


def test_ucb_gender_gap_is_flagged_crude_but_not_within_departments():
    crude = _by_value(slice_report(_ucb_rows(), outcome="admitted", slices=["gender"]), "gender")
    assert crude["Female"].level == "alert"
    assert crude["Female"].flagged is True
    assert crude["Female"].direction == "lower"
    assert crude["Female"].rate == pytest.approx(557 / 1835)
    assert crude["Male"].rate == pytest.approx(1198 / 2691)

    within = _by_value(
        slice_report(_ucb_rows(), outcome="admitted", slices=["gender"], strata=["dept"]),
        "gender",
    )
    assert within["Female"].level == "ok"
    assert within["Female"].flagged is False
    assert within["Female"].method == "cmh"
    assert within["Female"].strata_used == 6
    # Mantel-Haenszel OR of women against men is the inverse of R's 0.9047 for men vs women.
    assert within["Female"].odds_ratio == pytest.approx(1 / 0.9046968, rel=1e-6)
    # Breslow-Day says the gap differs between departments (department A favours women).
    assert within["Female"].homogeneity_p == pytest.approx(0.002071, abs=5e-6)


def test_q_values_are_benjamini_hochberg_over_every_testable_slice():
    report = slice_report(
        _random_table(1), outcome="accepted", slices=["region", "tier", "size"], min_n=20
    )
    # "size" has two values: its two slices are one test, counted once.
    family = [s for s in report.slices if not (s.attribute == "size" and s.value == "small")]
    expected = multipletests([s.p_value for s in family], method="fdr_bh")[1]
    assert [s.q_value for s in family] == pytest.approx(list(expected))
    size = _by_value(report, "size")
    assert size["small"].p_value == pytest.approx(size["large"].p_value)
    assert size["small"].q_value == size["large"].q_value
    latam = _by_value(report, "region")["LATAM"]
    assert latam.level == "alert"
    assert latam.flagged is True


def test_report_levels_follow_q_value_thresholds():
    report = slice_report(_random_table(2), outcome="accepted", slices=["region", "tier"])
    for result in report.slices:
        assert result.q_value is not None
        expected = (
            "alert" if result.q_value <= 0.05 else "watch" if result.q_value <= 0.20 else "ok"
        )
        assert result.level == expected
        assert result.flagged == (expected == "alert")


def test_small_slice_is_reported_but_never_flagged():
    n = 400
    region = np.array(["EU"] * (n - 10) + ["MEA"] * 10)
    accepted = np.array([1, 0] * ((n - 10) // 2) + [0] * 10)
    report = slice_report(
        {"accepted": accepted, "region": region}, outcome="accepted", slices=["region"], min_n=20
    )
    mea = _by_value(report, "region")["MEA"]
    assert mea.n == 10
    assert mea.rate == 0.0
    assert mea.p_value is not None
    assert mea.p_value < 0.01  # the gap is real, but 10 proposals are too few to flag
    assert mea.level == "too_small"
    assert mea.flagged is False
    assert mea.q_value is None
    # Its complement has a rest of only 10, so it is too small to compare as well.
    assert _by_value(report, "region")["EU"].level == "too_small"
    smaller = slice_report(
        {"accepted": accepted, "region": region}, outcome="accepted", slices=["region"], min_n=5
    )
    assert _by_value(smaller, "region")["MEA"].flagged is True


def test_gap_so_large_its_p_value_underflows_is_still_flagged():
    n = 20000
    region = np.array(["EU"] * (n // 2) + ["LATAM"] * (n // 2))
    accepted = np.concatenate(
        [np.tile([1, 0], n // 4), np.tile([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], n // 20)]
    )
    tier = np.tile(np.array(["gold", "silver", "bronze", "startup"]), n // 4)
    report = slice_report(
        {"accepted": accepted, "region": region, "tier": tier},
        outcome="accepted",
        slices=["region", "tier"],
    )
    latam = _by_value(report, "region")["LATAM"]
    assert latam.p_value == 0.0
    assert latam.q_value == 0.0
    assert latam.flagged is True


def test_slice_that_coincides_with_the_strata_is_untestable():
    rng = np.random.default_rng(4)
    fmt = rng.choice(np.array(["talk", "workshop"]), 500)
    accepted = (rng.random(500) < np.where(fmt == "talk", 0.5, 0.2)).astype(int)
    report = slice_report(
        {"accepted": accepted, "format": fmt, "format_copy": fmt.copy()},
        outcome="accepted",
        slices=["format_copy"],
        strata=["format"],
    )
    for result in report.slices:
        assert result.level == "untestable"
        assert result.p_value is None
        assert result.flagged is False


def test_score_adjustment_removes_a_gap_explained_by_quality():
    rng = np.random.default_rng(8)
    n = 4000
    tier = rng.choice(np.array(["startup", "established"]), n)
    score = rng.random(n) - 0.25 * (tier == "startup")  # startups' proposals score lower
    accepted = (rng.random(n) < 0.1 + 0.6 * (score > 0.5)).astype(int)  # decided on score only
    data = {"accepted": accepted, "tier": tier, "score": score}
    crude = _by_value(slice_report(data, outcome="accepted", slices=["tier"]), "tier")
    assert crude["startup"].flagged is True
    adjusted = _by_value(
        slice_report(data, outcome="accepted", slices=["tier"], score="score", score_bins=5),
        "tier",
    )
    assert adjusted["startup"].flagged is False
    assert adjusted["startup"].strata_used == 5


def test_missing_scores_form_their_own_stratum():
    rng = np.random.default_rng(9)
    n = 600
    score = rng.random(n).astype(object)
    score[:50] = ""
    data = {
        "accepted": (rng.random(n) < 0.4).astype(int),
        "tier": rng.choice(np.array(["a", "b"]), n),
        "score": score,
    }
    report = slice_report(data, outcome="accepted", slices=["tier"], score="score", score_bins=5)
    assert {s.strata_used for s in report.slices} == {6}


def test_values_are_literal_and_empty_or_none_is_missing():
    data = {
        "accepted": [1, 0, 1, 0, 1, 0],
        "region": ["NA", "None", "NA", "", None, "null"],
    }
    report = slice_report(data, outcome="accepted", slices=["region"], min_n=1)
    assert {s.value: s.n for s in report.slices} == {"NA": 2, "None": 1, "null": 1, MISSING: 2}
    assert [s.value for s in report.slices][-1] == MISSING


def test_report_json_is_valid_and_has_the_contract_keys():
    report = slice_report(_random_table(3, n=300), outcome="accepted", slices=["region", "size"])

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-standard JSON constant {constant}")

    payload = json.loads(report.to_json(), parse_constant=refuse)
    assert set(payload["overall"]) >= {"n", "positives", "rate"}
    assert payload["overall"]["n"] == 300
    keys = {
        "attribute", "value", "n", "positives", "rate", "ci_low", "ci_high", "odds_ratio",
        "or_ci_low", "or_ci_high", "p_value", "q_value", "level", "flagged",
    }  # fmt: skip
    for entry in payload["slices"]:
        assert keys <= set(entry)
        assert isinstance(entry["flagged"], bool)


def test_report_json_uses_null_for_an_infinite_odds_ratio():
    # Every slice proposal accepted in each stratum: the MH odds ratio is infinite.
    data = {
        "accepted": [1] * 30 + [1, 0] * 30,
        "region": ["LATAM"] * 30 + ["EU"] * 60,
        "format": (["talk", "demo"] * 15) + (["talk", "talk", "demo", "demo"] * 15),
    }
    report = slice_report(data, outcome="accepted", slices=["region"], strata=["format"])
    latam = _by_value(report, "region")["LATAM"]
    assert latam.odds_ratio is None
    assert latam.direction == "higher"
    assert latam.p_value is not None
    assert json.loads(report.to_json())["slices"][1]["odds_ratio"] is None


def _editions(gap_in: set[str], seed: int = 5, n: int = 1500) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    parts = []
    for edition in ("2023", "2024", "2025"):
        region = rng.choice(np.array(["EU", "NA", "LATAM"]), n)
        rate = 0.4 - 0.2 * ((region == "LATAM") & (edition in gap_in))
        parts.append(
            {
                "accepted": (rng.random(n) < rate).astype(int),
                "region": region,
                "edition": np.full(n, edition),
            }
        )
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def test_gap_that_appears_this_edition_is_marked_new():
    report = slice_report(
        _editions(gap_in={"2025"}), outcome="accepted", slices=["region"], edition="edition"
    )
    assert report.settings.current == "2025"
    assert report.overall.n == 1500
    latam = _by_value(report, "region")["LATAM"]
    assert latam.flagged is True
    assert latam.trend == "new"
    assert latam.change_q is not None
    assert latam.change_q <= 0.05
    assert [h.edition for h in latam.history] == ["2023", "2024", "2025"]
    assert latam.history[-1].rate == pytest.approx(latam.rate)
    assert latam.history[0].rate > latam.history[-1].rate


def test_gap_present_in_every_edition_is_not_new():
    report = slice_report(
        _editions(gap_in={"2023", "2024", "2025"}),
        outcome="accepted",
        slices=["region"],
        edition="edition",
    )
    latam = _by_value(report, "region")["LATAM"]
    assert latam.flagged is True
    assert latam.trend == "ongoing"


def test_report_for_an_earlier_edition_ignores_later_ones():
    data = _editions(gap_in={"2025"})
    report = slice_report(
        data, outcome="accepted", slices=["region"], edition="edition", current="2024"
    )
    assert report.settings.current == "2024"
    latam = _by_value(report, "region")["LATAM"]
    assert latam.flagged is False
    assert latam.trend is None


def test_unknown_current_edition_is_an_error():
    with pytest.raises(SliceInputError, match="'2030' does not occur"):
        slice_report(
            _editions(gap_in=set()),
            outcome="accepted",
            slices=["region"],
            edition="edition",
            current="2030",
        )


def test_text_report_explains_a_flag_in_words():
    report = slice_report(_ucb_rows(), outcome="admitted", slices=["gender"])
    text = report.to_text()
    assert "Overall: 1755 of 4526 accepted" in text
    assert "[alert] gender = Female: 30% accepted (n = 1835) vs 45% for the rest" in text


def test_csv_report_has_one_row_per_slice():
    report = slice_report(_ucb_rows(), outcome="admitted", slices=["gender", "dept"])
    lines = report.to_csv().splitlines()
    assert lines[0].startswith("attribute,value,n,positives,rate,ci_low,ci_high,odds_ratio")
    assert len(lines) == 1 + 2 + 6
    assert lines[1].startswith("gender,Female,1835,557,")


def test_slice_modules_import_without_django():
    code = (
        "import sys; import ranking.slices, ranking.slice_simulation; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)}, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
