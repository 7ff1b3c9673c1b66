"""The pure report layer: merged test families, suppression, topics, explanations, the model's
score gap against statsmodels, and fingerprints. No database."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from fairness.model_slices import model_slice_report, score_gap
from fairness.report import (
    COLUMNS,
    DecisionTable,
    Edition,
    input_fingerprint,
    merge_families,
    report_view,
    slice_mask,
    stage_report,
    suppressed_cells,
)
from ranking.slice_simulation import expo_editions_simulate
from ranking.slices import slice_report


def table_of(
    *,
    region,
    tier=None,
    fmt=None,
    accepted,
    topics=None,
    topic_names=("Vision", "Theory"),
    score=None,
    conference=None,
    current=1,
    editions=None,
    kind=None,
) -> DecisionTable:
    n = len(region)
    text = lambda values, default: np.asarray(  # noqa: E731
        values if values is not None else [default] * n, dtype=object
    )
    columns = {
        "tier": text(tier, "gold"),
        "size": text(None, "1-49"),
        "region": text(region, "europe"),
        "first_time": text(None, "returning"),
        "format": text(fmt, "talk"),
        "track": text(None, ""),
    }
    return DecisionTable(
        current=current,
        editions=editions or (Edition(current, "2027-01-01 1", "Expo 2027", "e27"),),
        proposal_id=np.arange(1, n + 1, dtype=np.int64),
        conference_id=np.asarray(conference if conference is not None else [current] * n),
        reviewed=np.ones(n, dtype=bool),
        decided=np.ones(n, dtype=bool),
        accepted=np.asarray(accepted, dtype=bool),
        columns={name: columns[name] for name in COLUMNS},
        topics=tuple(topic_names),
        topic_matrix=np.asarray(
            topics if topics is not None else np.zeros((n, len(topic_names))), dtype=bool
        ),
        score=np.asarray(score if score is not None else [np.nan] * n, dtype=np.float64),
        score_kind=kind,
        score_label="relevance score (learned model v1)" if kind == "learned" else "",
        value_labels={"tier": {"startup": "Startup"}, "region": {"europe": "Europe"}},
    )


def test_merging_split_reports_gives_the_one_report_q_values_levels_and_trends():
    data = expo_editions_simulate(scenario="new_gap", seed=4, n=1500, penalty_odds=0.33)
    common = {
        "outcome": "accepted",
        "strata": ["format"],
        "score": "score",
        "edition": "edition",
        "min_n": 20,
    }
    whole = slice_report(data, slices=["region", "tier", "size", "first_time"], **common)
    parts = [
        slice_report(data, slices=["region", "tier"], **common),
        slice_report(data, slices=["size", "first_time"], **common),
    ]
    merged = merge_families([*parts[0].slices, *parts[1].slices])
    key = lambda r: (r.attribute, r.value)  # noqa: E731
    expected = {key(r): r for r in whole.slices}
    assert {key(r) for r in merged} == set(expected)
    for result in merged:
        reference = expected[key(result)]
        assert result.q_value == pytest.approx(reference.q_value)
        assert result.change_q == pytest.approx(reference.change_q)
        assert (result.level, result.flagged, result.trend) == (
            reference.level,
            reference.flagged,
            reference.trend,
        )
    # The comparison means something only if the data hold flags and a new gap.
    assert any(r.level == "alert" for r in merged)
    assert any(r.trend == "new" for r in merged)
    # Each part alone has a smaller family, so its q-values differ from the merged ones.
    alone = {key(r): r.q_value for r in parts[1].slices}
    assert any(q is not None and q != pytest.approx(expected[k].q_value) for k, q in alone.items())


@pytest.mark.parametrize(
    ("sizes", "hidden"),
    [
        ([24, 12, 3, 4], [False, False, True, True]),  # 3 + 4 = 7 hidden together: enough
        ([24, 12, 3], [False, True, True]),  # 3 alone is the total minus 24 and 12
        ([40, 2, 1, 30], [False, True, True, True]),  # 2 + 1 < 5: add the next smallest
        ([30, 20], [False, False]),
        ([4], [True]),
        ([150], [False]),
    ],
)
def test_suppressed_cells_hide_small_cells_and_what_would_reveal_them(sizes, hidden):
    assert suppressed_cells(sizes) == hidden


def test_topics_count_a_proposal_in_each_of_its_topics():
    n = 60
    topics = np.zeros((n, 2), dtype=bool)
    topics[:30, 0] = True  # Vision
    topics[20:50, 1] = True  # Theory; 10 proposals have both
    report = stage_report(
        table_of(region=["europe"] * n, accepted=[i % 3 == 0 for i in range(n)], topics=topics),
        stage="accepted",
        hidden=frozenset(),
    )
    by_label = {s["label"]: s for s in report["slices"] if s["group"] == "topic"}
    assert by_label["Vision"]["n"] == 30
    assert by_label["Theory"]["n"] == 30
    assert by_label["Vision"]["rest_n"] == 30
    assert all(s["value"] == "yes" for s in by_label.values()), "no complement rows"


def test_format_is_compared_without_stratifying_by_itself():
    rng = np.random.default_rng(0)
    n = 200
    fmt = np.where(rng.random(n) < 0.3, "workshop", "talk")
    accepted = rng.random(n) < np.where(fmt == "workshop", 0.2, 0.5)
    report = stage_report(
        table_of(region=["europe"] * n, fmt=fmt, accepted=accepted),
        stage="accepted",
        hidden=frozenset(),
    )
    formats = [s for s in report["slices"] if s["group"] == "format"]
    assert {s["level"] for s in formats} != {"untestable"}
    assert formats[0]["q_value"] is not None
    assert report["adjusted_for"] == "format"
    assert report["adjusted_for_format"] == ""


def test_explanation_states_rates_adjustment_odds_and_q_in_plain_words():
    tier = ["startup"] * 100 + ["gold"] * 200
    accepted = [i < 18 for i in range(100)] + [i < 62 for i in range(200)]
    report = stage_report(
        table_of(region=["europe"] * 300, tier=tier, accepted=accepted),
        stage="accepted",
        hidden=frozenset(),
    )
    row = report_view(report).row("tier", "startup")
    assert row.explanation.startswith(
        "Startup (sponsor tier): 18% accepted (n = 100) vs 31% for the others; at equal format, "
        "the odds of being accepted are 0.49 times the others' (95% CI"
    )
    assert "; q = 0.0" in row.explanation
    assert row.explanation.endswith("Flagged: a gap this large is unlikely to be chance.")
    assert row.level == "alert"


def test_conflicted_viewers_report_leaves_their_proposals_out():
    n = 50
    table = table_of(region=["europe"] * 25 + ["asia"] * 25, accepted=[i % 2 for i in range(n)])
    hidden = frozenset({1, 2, 3})
    report = stage_report(table, stage="accepted", hidden=hidden)
    assert report["overall"]["n"] == 47
    assert report["hidden"] == 3
    europe = next(s for s in report["slices"] if s["value"] == "europe")
    assert europe["n"] == 22
    mask = slice_mask(table, stage="accepted", hidden=hidden, attribute="region", value="europe")
    assert mask.sum() == 22
    assert not set(table.proposal_id[mask]) & hidden


def test_fingerprint_follows_decisions_and_scope_only():
    table = table_of(region=["europe"] * 30, accepted=[i % 2 for i in range(30)])
    same = input_fingerprint(table, stage="accepted", hidden=frozenset())
    assert same == input_fingerprint(
        dataclasses.replace(table, accepted=table.accepted.copy()),
        stage="accepted",
        hidden=frozenset(),
    )
    flipped = table.accepted.copy()
    flipped[0] = not flipped[0]
    assert same != input_fingerprint(
        dataclasses.replace(table, accepted=flipped), stage="accepted", hidden=frozenset()
    )
    assert same != input_fingerprint(table, stage="accepted", hidden=frozenset({5}))
    assert same != input_fingerprint(table, stage="reviewed", hidden=frozenset())


def test_score_gap_equals_statsmodels_ols_with_hc3_errors():
    rng = np.random.default_rng(7)
    n = 300
    frame = pd.DataFrame(
        {
            "in_slice": rng.random(n) < 0.3,
            "accepted": rng.random(n) < 0.4,
            "format": np.where(rng.random(n) < 0.3, "workshop", "talk"),
        }
    )
    frame["score"] = np.clip(
        0.4 + 0.2 * frame.accepted - 0.05 * frame.in_slice + rng.normal(0, 0.1, n), 0, 1
    )
    controls = np.column_stack(
        [frame.accepted.to_numpy(float), (frame.format == "workshop").to_numpy(float)]
    )
    gap, low, high, p = score_gap(frame.score.to_numpy(), frame.in_slice.to_numpy(), controls)
    reference = smf.ols(
        "score ~ in_slice + accepted + C(format)",
        data=frame.astype({"in_slice": int, "accepted": int}),
    ).fit(cov_type="HC3")
    assert gap == pytest.approx(reference.params["in_slice"])
    assert (low, high) == pytest.approx(tuple(reference.conf_int().loc["in_slice"]))
    assert p == pytest.approx(reference.pvalues["in_slice"])


def _model_data(seed: int, lower: float):
    rng = np.random.default_rng(seed)
    n = 400
    region = rng.choice(np.array(["europe", "asia", "latin_america"], dtype=object), n)
    accepted = (rng.random(n) < 0.4).astype(np.int8)
    score = 0.35 + 0.25 * accepted + rng.normal(0, 0.08, n)
    score -= lower * (region == "latin_america")
    return accepted, np.clip(score, 0, 1), region


def test_model_slicing_flags_a_group_scored_lower_at_equal_decisions():
    accepted, score, region = _model_data(1, lower=0.08)
    fmt = np.full(400, "talk", dtype=object)
    report = model_slice_report(
        accepted=accepted,
        score=score,
        columns={"region": region, "format": fmt},
        covariate="format",
        probability=True,
        min_n=20,
    )
    latam = next(s for s in report["slices"] if s["value"] == "latin_america")
    assert latam["level"] == "alert"
    assert latam["gap"] < 0
    assert latam["gap"] == pytest.approx(-0.08, abs=0.03)
    assert latam["auc"] > 0.9
    assert latam["box_accepted"]["median"] > latam["box_not_accepted"]["median"]


def test_model_slicing_does_not_flag_when_no_group_is_scored_differently():
    accepted, score, region = _model_data(2, lower=0.0)
    report = model_slice_report(
        accepted=accepted,
        score=score,
        columns={"region": region},
        covariate=None,
        probability=True,
        min_n=20,
    )
    assert not any(s["flagged"] for s in report["slices"])
    assert report["tests"] == 3
    assert report["overall"]["calibration"], "learned scores get a calibration table"


def test_two_valued_attribute_is_one_test_in_the_model_family():
    accepted, score, _ = _model_data(3, lower=0.0)
    flag = np.where(np.arange(400) % 2 == 0, "first-time", "returning").astype(object)
    report = model_slice_report(
        accepted=accepted,
        score=score,
        columns={"first_time": flag},
        covariate=None,
        probability=False,
        min_n=20,
    )
    first, returning = report["slices"]
    assert report["tests"] == 1
    assert first["q_value"] == returning["q_value"] == pytest.approx(first["p_value"])
    assert first["gap"] == pytest.approx(-returning["gap"])
    assert report["overall"]["brier"] is None, "no Brier score for topical scores"
