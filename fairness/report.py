"""Fairness reports of one conference, from a decision table to a cached JSON report and back to
what a page or an export shows. Pure: numpy and ``ranking.slices``; no Django, so the tests and
the Celery task share one implementation and the selectors only fill ``DecisionTable``.

Three layers:

- ``DecisionTable`` — one row per submitted proposal of the conference and its earlier editions,
  as arrays (filled by ``fairness.selectors.decision_table``);
- ``stage_report`` — the raw, unsuppressed report of one stage for one viewer's scope (the
  proposals the viewer is conflicted with are left out): JSON-ready, cached by the services;
- ``report_view`` — what may be shown: groups of rows with cells of fewer than ``MIN_CELL``
  proposals suppressed, plain-language explanations; the pages and exports read only this.

Choices are written up in docs/fairness-dashboard.md.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from fairness.model_slices import model_slice_report
from ranking.slices import (
    ALERT_Q,
    DEFAULT_MIN_N,
    DEFAULT_SCORE_BINS,
    MISSING,
    SliceResult,
    Trend,
    level_for,
    q_values,
    slice_report,
)

# Bump when the report's JSON changes shape or meaning: every cached report is then recomputed.
REPORT_VERSION = 1
# Privacy: no figure about a group of fewer proposals than this is shown or exported.
MIN_CELL = 5
MIN_N = DEFAULT_MIN_N
SCORE_BINS = DEFAULT_SCORE_BINS
# The current edition and up to five earlier ones: more lines make the trend chart unreadable.
MAX_EDITIONS = 6
SUPPRESSED = "fewer than 5"
LEVEL_LABELS = {
    "alert": "Flagged",
    "watch": "Watch",
    "ok": "No evidence of a gap",
    "too_small": "Too few to test",
    "untestable": "Not comparable",
    "suppressed": SUPPRESSED,
}

StageKey = Literal["reviewed", "accepted", "model"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
TextArray = npt.NDArray[np.object_]


@dataclass(frozen=True)
class Stage:
    key: StageKey
    title: str
    base: str  # who is counted, in words
    outcome: str  # the verb of the outcome: "fully reviewed", "accepted"


STAGES: dict[str, Stage] = {
    "reviewed": Stage(
        "reviewed",
        "Submitted → reviewed",
        "submitted proposals (withdrawn ones left out)",
        "fully reviewed",
    ),
    "accepted": Stage(
        "accepted",
        "Reviewed → accepted",
        "decided proposals (accepted, waitlisted or rejected)",
        "accepted",
    ),
    "model": Stage(
        "model",
        "Relevance model",
        "decided proposals with a relevance score",
        "accepted",
    ),
}


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    noun: str  # how a sentence names it ("sponsor tier"); "" when the value says it already


GROUPS: tuple[Group, ...] = (
    Group("tier", "Sponsor tier", "sponsor tier"),
    Group("size", "Company size", "company size"),
    Group("region", "Region", "region"),
    Group("first_time", "First-time sponsors", ""),
    Group("format", "Format", "format"),
    Group("track", "Track", "track"),
    Group("topic", "Topic", "topic"),
)
GROUP_BY_KEY = {group.key: group for group in GROUPS}
# Columns of the table that are slices (topics are added per topic as "topic:<index>").
COLUMNS = ("tier", "size", "region", "first_time", "format", "track")
TOPIC_YES = "yes"
TOPIC_NO = "no"


@dataclass(frozen=True)
class Edition:
    conference_id: int
    label: str  # sorts in time order as text: the start date, then the id
    name: str
    short: str = ""  # for chart axes: the conference's slug


@dataclass(frozen=True)
class DecisionTable:
    """One row per submitted (not withdrawn) proposal of a conference and its earlier editions.

    ``columns`` hold the slice values as strings, "" where unknown; ``topic_matrix[i, j]`` says
    whether row ``i`` has topic ``topics[j]`` (topics of the current conference, matched by name
    in earlier editions); ``score`` is NaN where a proposal has no relevance score.
    """

    current: int
    editions: tuple[Edition, ...]
    proposal_id: IntArray
    conference_id: IntArray
    reviewed: BoolArray
    decided: BoolArray
    accepted: BoolArray
    columns: Mapping[str, TextArray]
    topics: tuple[str, ...]
    topic_matrix: BoolArray
    score: FloatArray
    score_kind: str | None = None  # of the current edition: "learned", "topical" or None
    score_label: str = ""
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def n_rows(self) -> int:
        return int(self.proposal_id.shape[0])


def table_empty(
    *, current: int, editions: Sequence[Edition], topics: Sequence[str]
) -> DecisionTable:
    """A table without rows (a conference without submissions)."""
    return DecisionTable(
        current=current,
        editions=tuple(editions),
        proposal_id=np.zeros(0, dtype=np.int64),
        conference_id=np.zeros(0, dtype=np.int64),
        reviewed=np.zeros(0, dtype=bool),
        decided=np.zeros(0, dtype=bool),
        accepted=np.zeros(0, dtype=bool),
        columns={name: np.zeros(0, dtype=object) for name in COLUMNS},
        topics=tuple(topics),
        topic_matrix=np.zeros((0, len(topics)), dtype=bool),
        score=np.zeros(0, dtype=np.float64),
    )


# ---------------------------------------------------------------------------------------------
# Scope, parameters and fingerprints


def parameters(*, hidden: frozenset[int]) -> dict[str, Any]:
    """The settings a cached report depends on, apart from its data."""
    return {
        "version": REPORT_VERSION,
        "min_n": MIN_N,
        "score_bins": SCORE_BINS,
        "min_cell": MIN_CELL,
        "max_editions": MAX_EDITIONS,
        "hidden_proposals": len(hidden),
    }


def parameters_key(*, hidden: frozenset[int]) -> str:
    """The cache key of a viewer's scope: the parameters and the set of proposals left out.

    Viewers with the same conflicts share one cached report; the ids themselves are hashed, so
    the cache table does not list anyone's conflicts.
    """
    payload = json.dumps(
        {"parameters": parameters(hidden=hidden), "hidden": sorted(hidden)}, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _visible(table: DecisionTable, hidden: frozenset[int]) -> BoolArray:
    if not hidden:
        return np.ones(table.n_rows, dtype=bool)
    return ~np.isin(table.proposal_id, np.fromiter(hidden, dtype=np.int64, count=len(hidden)))


def input_fingerprint(table: DecisionTable, *, stage: str, hidden: frozenset[int]) -> str:
    """sha256 of everything a stage's report is computed from, for this viewer's scope."""
    keep = _visible(table, hidden)
    digest = hashlib.sha256()

    def text(value: str) -> None:
        encoded = value.encode()
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)

    text(json.dumps({"stage": stage, "parameters": parameters(hidden=hidden)}, sort_keys=True))
    for edition in table.editions:
        text(f"{edition.conference_id}|{edition.label}|{edition.name}|{edition.short}")
    text(f"{table.score_kind}|{table.score_label}")
    text("\x1f".join(table.topics))
    for array in (
        table.proposal_id,
        table.conference_id,
        table.reviewed,
        table.decided,
        table.accepted,
        table.topic_matrix,
        table.score,
    ):
        digest.update(np.ascontiguousarray(array[keep]).tobytes())
    for name in COLUMNS:
        text("\x1f".join(str(v) for v in table.columns[name][keep]))
    text(json.dumps(table.value_labels, sort_keys=True))
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Stage reports (raw)


def topic_attribute(index: int) -> str:
    return f"topic:{index}"


def _group_of(attribute: str) -> str:
    return "topic" if attribute.startswith("topic:") else attribute


def _value_label(table: DecisionTable, attribute: str, value: str) -> str:
    if attribute.startswith("topic:"):
        return table.topics[int(attribute.split(":", 1)[1])]
    if value == MISSING:
        return "No track" if attribute == "track" else "Not recorded"
    return table.value_labels.get(attribute, {}).get(value, value)


def merge_families(results: Sequence[SliceResult]) -> list[SliceResult]:
    """Benjamini-Hochberg over the tests of several ``slice_report`` calls, as if one report.

    The format slice cannot be compared "at equal format", so it comes from a second report;
    this puts its test back in the same family. It applies the rules of ``slice_report``:
    a two-valued attribute is one test, the change tests form their own family, a gap is "new"
    when its change q <= 0.05 and it widened. Merging the parts of a split report gives that
    report's q-values, levels and trends (tested).
    """
    by_attribute: dict[str, list[int]] = defaultdict(list)
    for index, result in enumerate(results):
        by_attribute[result.attribute].append(index)
    twin: dict[int, int] = {}
    for indices in by_attribute.values():
        tested = [i for i in indices if results[i].q_value is not None]
        if len(indices) == 2 and len(tested) == 2:
            twin[tested[1]] = tested[0]
    family = [
        i
        for i, r in enumerate(results)
        if r.q_value is not None and r.p_value is not None and i not in twin
    ]
    q_of = dict(zip(family, q_values([results[i].p_value or 0.0 for i in family]), strict=True))
    changed = [i for i in family if results[i].change_p is not None]
    change_q_of = dict(
        zip(changed, q_values([results[i].change_p or 0.0 for i in changed]), strict=True)
    )
    merged = []
    for index, result in enumerate(results):
        source = twin.get(index, index)
        if source not in q_of:
            merged.append(result)
            continue
        level = level_for(q_of[source])
        change_q = change_q_of.get(source)
        trend: Trend | None = None
        if level in ("alert", "watch") and change_q is not None:
            trend = "new" if change_q <= ALERT_Q and _widened(result) else "ongoing"
        merged.append(
            replace(
                result,
                q_value=q_of[source],
                level=level,
                flagged=level == "alert",
                change_q=change_q,
                trend=trend,
            )
        )
    return merged


def _widened(result: SliceResult) -> bool:
    now, before = result.odds_ratio, result.previous_odds_ratio
    if now is None or before is None or now <= 0 or before <= 0:
        return False
    return abs(math.log(now)) > abs(math.log(before))


def family_size(results: Sequence[SliceResult]) -> int:
    """How many distinct tests the q-values were adjusted over."""
    seen = set()
    for result in results:
        if result.q_value is not None and result.p_value is not None:
            seen.add((result.attribute, round(result.p_value, 15)))
    return len(seen)


def _stage_rows(table: DecisionTable, stage: str, hidden: frozenset[int]) -> BoolArray:
    keep = _visible(table, hidden)
    return keep & table.decided if stage in ("accepted", "model") else keep


def _outcome(table: DecisionTable, stage: str) -> BoolArray:
    return table.reviewed if stage == "reviewed" else table.accepted


def _count(mask: BoolArray) -> int:
    return int(mask.sum())


def _adjusted_for(*, strata: bool, score: bool) -> str:
    parts = ["format"] if strata else []
    if score:
        parts.append("relevance score")
    return " and ".join(parts)


def _slice_dict(table: DecisionTable, result: SliceResult) -> dict[str, Any]:
    return {
        "group": _group_of(result.attribute),
        "attribute": result.attribute,
        "value": result.value,
        "label": _value_label(table, result.attribute, result.value),
        "n": result.n,
        "positives": result.positives,
        "rate": result.rate,
        "ci_low": result.ci_low,
        "ci_high": result.ci_high,
        "rest_n": result.rest_n,
        "rest_positives": result.rest_positives,
        "rest_rate": result.rest_rate,
        "odds_ratio": result.odds_ratio,
        "or_ci_low": result.or_ci_low,
        "or_ci_high": result.or_ci_high,
        "p_value": result.p_value,
        "q_value": result.q_value,
        "level": result.level,
        "flagged": result.flagged,
        "method": result.method,
        "strata_used": result.strata_used,
        "homogeneity_p": result.homogeneity_p,
        "direction": result.direction,
        "previous_odds_ratio": result.previous_odds_ratio,
        "change_p": result.change_p,
        "change_q": result.change_q,
        "trend": result.trend,
        "history": [
            {"edition": h.edition, "n": h.n, "positives": h.positives} for h in result.history
        ],
    }


def _header(table: DecisionTable, stage: str, hidden: frozenset[int]) -> dict[str, Any]:
    current_rows = table.conference_id == table.current
    hidden_here = int((current_rows & ~_visible(table, hidden)).sum())
    return {
        "version": REPORT_VERSION,
        "stage": stage,
        "editions": [
            {
                "name": e.name,
                "short": e.short or e.name,
                "label": e.label,
                "current": e.conference_id == table.current,
            }
            for e in table.editions
        ],
        "score": {
            "kind": table.score_kind,
            "label": table.score_label,
        },
        "hidden": hidden_here,
        "min_n": MIN_N,
        "min_cell": MIN_CELL,
    }


def stage_report(table: DecisionTable, *, stage: str, hidden: frozenset[int]) -> dict[str, Any]:
    """The raw report of one stage (JSON-ready), computed without the ``hidden`` proposals."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
    if stage == "model":
        return _model_report(table, hidden)
    report = _header(table, stage, hidden)
    rows = _stage_rows(table, stage, hidden)
    outcome = _outcome(table, stage)
    current = rows & (table.conference_id == table.current)
    n_current = _count(current)
    report["funnel"] = _funnel(table, hidden)
    report["overall"] = {"n": n_current, "positives": _count(current & outcome)}
    if n_current == 0:
        return report | {"status": "empty", "slices": []}
    if not outcome[current].any():
        return report | {"status": "no_outcomes", "slices": []}
    if outcome[current].all():
        return report | {"status": "all_outcomes", "slices": []}

    editions_present = {int(c) for c in np.unique(table.conference_id[rows])}
    label_of = {e.conference_id: e.label for e in table.editions}
    edition_column = np.array([label_of[int(c)] for c in table.conference_id[rows]], dtype=object)
    use_edition = len(editions_present) > 1
    score = table.score[rows]
    use_score = bool(np.isfinite(table.score[current]).any())
    data: dict[str, Any] = {
        "outcome": outcome[rows].astype(np.int8),
        "edition": edition_column,
        "score": score,
    }
    for name in COLUMNS:
        data[name] = table.columns[name][rows]
    topic_attributes = []
    for index in range(len(table.topics)):
        attribute = topic_attribute(index)
        data[attribute] = np.where(table.topic_matrix[rows, index], TOPIC_YES, TOPIC_NO).astype(
            object
        )
        topic_attributes.append(attribute)
    common: dict[str, Any] = {
        "outcome": "outcome",
        "score": "score" if use_score else None,
        "edition": "edition" if use_edition else None,
        "current": label_of[table.current] if use_edition else None,
        "min_n": MIN_N,
        "score_bins": SCORE_BINS,
    }
    adjusted = slice_report(
        data,
        slices=[name for name in COLUMNS if name != "format"] + topic_attributes,
        strata=["format"],
        **common,
    )
    by_format = slice_report(data, slices=["format"], strata=[], **common)
    overall = adjusted.overall
    merged = merge_families([*adjusted.slices, *by_format.slices])
    report["overall"] = {
        "n": overall.n,
        "positives": overall.positives,
        "rate": overall.rate,
        "ci_low": overall.ci_low,
        "ci_high": overall.ci_high,
    }
    report["adjusted_for"] = _adjusted_for(strata=True, score=use_score)
    report["adjusted_for_format"] = _adjusted_for(strata=False, score=use_score)
    report["score"]["used"] = use_score
    report["score"]["scored"] = int(np.isfinite(table.score[current]).sum())
    report["tests"] = family_size(merged)
    report["slices"] = [
        _slice_dict(table, result)
        for result in merged
        # A topic's "no" row is the complement of its "yes" row: the same test, not a slice.
        if not (result.attribute.startswith("topic:") and result.value == TOPIC_NO)
    ]
    return report | {"status": "ok"}


def _funnel(table: DecisionTable, hidden: frozenset[int]) -> dict[str, int]:
    current = _visible(table, hidden) & (table.conference_id == table.current)
    return {
        "submitted": _count(current),
        "reviewed": _count(current & table.reviewed),
        "decided": _count(current & table.decided),
        "accepted": _count(current & table.accepted),
    }


def _model_report(table: DecisionTable, hidden: frozenset[int]) -> dict[str, Any]:
    report = _header(table, "model", hidden)
    rows = _stage_rows(table, "model", hidden) & (table.conference_id == table.current)
    report["funnel"] = _funnel(table, hidden)
    decided = _count(rows)
    scored = rows & np.isfinite(table.score)
    report["score"] |= {"scored": _count(scored), "decided": decided}
    if decided == 0:
        return report | {"status": "no_outcomes", "slices": []}
    if not scored.any():
        return report | {"status": "no_scores", "slices": []}
    columns: dict[str, TextArray] = {name: table.columns[name][scored] for name in COLUMNS}
    for index in range(len(table.topics)):
        columns[topic_attribute(index)] = np.where(
            table.topic_matrix[scored, index], TOPIC_YES, TOPIC_NO
        ).astype(object)
    result = model_slice_report(
        accepted=table.accepted[scored].astype(np.int8),
        score=table.score[scored],
        columns=columns,
        covariate="format",
        probability=table.score_kind == "learned",
        min_n=MIN_N,
        min_cell=MIN_CELL,
    )
    slices = []
    for entry in result["slices"]:
        if entry["attribute"].startswith("topic:") and entry["value"] == TOPIC_NO:
            continue
        entry["group"] = _group_of(entry["attribute"])
        entry["label"] = _value_label(table, entry["attribute"], entry["value"])
        slices.append(entry)
    report["overall"] = result["overall"]
    report["tests"] = result["tests"]
    report["adjusted_for"] = "decision and format"
    report["slices"] = slices
    return report | {"status": "ok"}


# ---------------------------------------------------------------------------------------------
# What may be shown: suppression and explanations


@dataclass
class Row:
    """One slice as a page or export shows it; figures are None where suppressed."""

    group: str
    attribute: str
    value: str
    label: str
    suppressed: bool
    data: dict[str, Any]
    explanation: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def level(self) -> str:
        return "suppressed" if self.suppressed else str(self.data.get("level", ""))

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)

    def get(self, name: str) -> Any:
        return None if self.suppressed else self.data.get(name)


@dataclass
class GroupView:
    group: Group
    rows: list[Row]

    @property
    def visible_rows(self) -> list[Row]:
        return [row for row in self.rows if not row.suppressed]

    @property
    def suppressed_count(self) -> int:
        return sum(row.suppressed for row in self.rows)


@dataclass
class ReportView:
    stage: Stage
    raw: dict[str, Any]
    groups: list[GroupView]
    suppressed_all: bool

    @property
    def rows(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]

    @property
    def flags(self) -> list[Row]:
        order = {"alert": 0, "watch": 1}
        found = [row for row in self.rows if row.level in order]
        return sorted(found, key=lambda r: (order[r.level], r.get("q_value") or 1.0))

    @property
    def status(self) -> str:
        return str(self.raw.get("status", "empty"))

    def group(self, key: str) -> GroupView | None:
        return next((g for g in self.groups if g.group.key == key), None)

    def row(self, attribute: str, value: str) -> Row | None:
        return next((r for r in self.rows if r.attribute == attribute and r.value == value), None)


def suppressed_cells(sizes: Sequence[int], *, minimum: int = MIN_CELL) -> list[bool]:
    """Which cells of one attribute to suppress: every cell under ``minimum`` proposals, and
    then the smallest others until the suppressed cells together hold 0 or at least ``minimum``
    proposals — otherwise a hidden cell is the total minus the shown ones (complementary
    suppression, as statistical offices do)."""
    hidden = [0 < size < minimum for size in sizes]
    # Empty cells never appear (slices with no proposals are not reported).
    while 0 < sum(s for s, h in zip(sizes, hidden, strict=True) if h) < minimum:
        candidates = [i for i, h in enumerate(hidden) if not h]
        if not candidates:
            break
        hidden[min(candidates, key=lambda i: (sizes[i], i))] = True
    return hidden


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _q(value: float | None) -> str:
    if value is None:
        return ""
    return "q < 0.001" if value < 0.001 else f"q = {value:.2g}"


def _subject(row: Row) -> str:
    if row.group == "topic":
        return f"Proposals on {row.label}"
    noun = GROUP_BY_KEY[row.group].noun
    return f"{row.label} ({noun})" if noun else row.label


def _rate_explanation(row: Row, *, stage: Stage, adjusted_for: str, min_n: int) -> str:
    data = row.data
    subject = _subject(row)
    text = f"{subject}: {_pct(data['rate'])} {stage.outcome} (n = {data['n']})"
    rest = data.get("rest_rate") if data.get("rest_n", 0) >= MIN_CELL else None
    text += f" vs {_pct(rest)} for the others" if rest is not None else ""
    level = data["level"]
    if level == "too_small":
        return text + f"; too few proposals to test (under {min_n} here or among the others)."
    if level == "untestable":
        return text + (
            "; cannot be compared"
            + (f" at equal {adjusted_for}" if adjusted_for else "")
            + ": no group of comparable proposals holds both this slice and the others with "
            "both outcomes."
        )
    odds = data.get("odds_ratio")
    if odds is not None:
        where = f"at equal {adjusted_for}, " if adjusted_for else ""
        text += f"; {where}the odds of being {stage.outcome} are {odds:.2f} times the others'"
        low, high = data.get("or_ci_low"), data.get("or_ci_high")
        if low is not None and high is not None:
            text += f" (95% CI {low:.2f}–{high:.2f})"
    elif adjusted_for:
        text += f"; compared at equal {adjusted_for}"
    text += f"; {_q(data.get('q_value'))}"
    verdict = {
        "alert": "Flagged: a gap this large is unlikely to be chance.",
        "watch": "Worth watching: the gap could still be chance.",
        "ok": "No evidence of a gap.",
    }[level]
    text += f". {verdict}"
    if data.get("trend") == "new":
        text += " The gap is new this edition."
    elif data.get("trend") == "ongoing":
        text += " Earlier editions showed a similar gap."
    return text


def _model_explanation(row: Row, *, min_n: int) -> str:
    data = row.data
    subject = _subject(row)
    text = f"{subject}: mean relevance score {data['mean_score']:.2f} (n = {data['n']})"
    level = data["level"]
    if level == "too_small":
        return (
            text + f"; too few scored decisions to test (under {min_n} here or among the others)."
        )
    if level == "untestable":
        return text + "; the model's scores cannot be compared at equal decision and format."
    gap = data["gap"]
    direction = "lower" if gap < 0 else "higher"
    held = "decision" if row.group == "format" else "decision and format"
    text += (
        f"; at equal {held} the model scores this group {abs(gap):.2f} {direction} "
        f"than the others (95% CI {data['gap_ci_low']:+.2f} to {data['gap_ci_high']:+.2f})"
        f"; {_q(data.get('q_value'))}"
    )
    verdict = {
        "alert": "Flagged: the model treats this group differently at equal decisions.",
        "watch": "Worth watching: the difference could still be chance.",
        "ok": "No evidence that the model scores this group differently.",
    }[level]
    return text + f". {verdict}"


def report_view(raw: Mapping[str, Any]) -> ReportView:
    """Groups of rows with small cells suppressed and an explanation per row."""
    stage = STAGES[str(raw["stage"])]
    editions = {e["label"]: e for e in raw.get("editions", [])}
    overall_n = int(raw.get("overall", {}).get("n", 0) or 0)
    suppressed_all = 0 < overall_n < MIN_CELL
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in raw.get("slices", []):
        by_group[entry["group"]].append(entry)
    groups = []
    for group in GROUPS:
        entries = by_group.get(group.key, [])
        if not entries:
            continue
        if group.key == "topic":
            # Each topic is its own yes/no attribute whose "no" side is never shown.
            hidden = [suppressed_all or e["n"] < MIN_CELL for e in entries]
        else:
            hidden = suppressed_cells([e["n"] for e in entries])
            hidden = [h or suppressed_all for h in hidden]
        rows = []
        for entry, suppress in zip(entries, hidden, strict=True):
            row = Row(
                group=group.key,
                attribute=entry["attribute"],
                value=entry["value"],
                label=entry["label"],
                suppressed=suppress,
                data=dict(entry),
            )
            if not suppress:
                if stage.key == "model":
                    row.explanation = _model_explanation(row, min_n=int(raw.get("min_n", MIN_N)))
                else:
                    adjusted = raw.get(
                        "adjusted_for_format" if group.key == "format" else "adjusted_for", ""
                    )
                    row.explanation = _rate_explanation(
                        row, stage=stage, adjusted_for=adjusted, min_n=int(raw.get("min_n", MIN_N))
                    )
                row.history = [
                    {
                        "edition": editions.get(h["edition"], {}).get("name", h["edition"]),
                        "short": editions.get(h["edition"], {}).get("short", h["edition"]),
                        "n": h["n"] if h["n"] >= MIN_CELL else None,
                        "rate": h["positives"] / h["n"] if h["n"] >= MIN_CELL else None,
                    }
                    for h in entry.get("history", [])
                ]
            rows.append(row)
        groups.append(GroupView(group=group, rows=rows))
    return ReportView(stage=stage, raw=dict(raw), groups=groups, suppressed_all=suppressed_all)


# ---------------------------------------------------------------------------------------------
# Exports

RATE_EXPORT_COLUMNS = (
    "group",
    "value",
    "n",
    "positives",
    "rate",
    "ci_low",
    "ci_high",
    "rest_rate",
    "odds_ratio",
    "or_ci_low",
    "or_ci_high",
    "p_value",
    "q_value",
    "level",
    "trend",
    "explanation",
)
MODEL_EXPORT_COLUMNS = (
    "group",
    "value",
    "n",
    "positives",
    "mean_score",
    "observed_rate",
    "auc",
    "auc_ci_low",
    "auc_ci_high",
    "brier",
    "gap",
    "gap_ci_low",
    "gap_ci_high",
    "p_value",
    "q_value",
    "level",
    "explanation",
)


def export_columns(view: ReportView) -> tuple[str, ...]:
    return MODEL_EXPORT_COLUMNS if view.stage.key == "model" else RATE_EXPORT_COLUMNS


def _export_cell(row: Row, name: str) -> Any:
    if name == "group":
        return GROUP_BY_KEY[row.group].title
    if name == "value":
        return row.label
    if name == "explanation":
        return row.explanation
    if row.suppressed:
        return SUPPRESSED if name == "n" else None
    if name == "rest_rate" and (row.data.get("rest_n") or 0) < MIN_CELL:
        return None
    return row.data.get(name)


def export_rows(view: ReportView) -> list[list[Any]]:
    """The CSV table: a header and one row per slice shown on the page, suppression applied.

    Values are left as Python values; the CSV writer escapes text that could run as a formula.
    """
    columns = export_columns(view)
    rows: list[list[Any]] = [list(columns)]
    for row in view.rows:
        rows.append(["" if (v := _export_cell(row, c)) is None else v for c in columns])
    return rows


def export_json(view: ReportView, *, conference: str, computed_at: str) -> dict[str, Any]:
    """The JSON export: the same rows, suppressed figures as null with ``"suppressed"``."""
    raw = view.raw
    overall = dict(raw.get("overall", {}))
    if view.suppressed_all:
        overall = {"n": SUPPRESSED, "suppressed": True}
    slices = []
    for row in view.rows:
        entry: dict[str, Any] = {"group": GROUP_BY_KEY[row.group].title, "value": row.label}
        if row.suppressed:
            entry |= {"suppressed": True, "n": SUPPRESSED}
        else:
            for name in export_columns(view)[2:]:
                entry[name] = _export_cell(row, name)
            entry["history"] = row.history
            entry["suppressed"] = False
        slices.append(entry)
    return {
        "conference": conference,
        "stage": view.stage.key,
        "stage_title": view.stage.title,
        "counted": view.stage.base,
        "computed_at": computed_at,
        "status": view.status,
        "adjusted_for": raw.get("adjusted_for", ""),
        "score": raw.get("score", {}),
        "left_out_for_conflicts": raw.get("hidden", 0),
        "overall": overall,
        "tests": raw.get("tests", 0),
        "slices": slices,
    }


def slice_mask(
    table: DecisionTable, *, stage: str, hidden: frozenset[int], attribute: str, value: str
) -> BoolArray:
    """The rows of the current edition that a stage's slice counts, for a drill-down."""
    rows = _stage_rows(table, stage, hidden) & (table.conference_id == table.current)
    if stage == "model":
        rows &= np.isfinite(table.score)
    if attribute.startswith("topic:"):
        index = int(attribute.split(":", 1)[1])
        if not 0 <= index < len(table.topics) or value not in (TOPIC_YES, TOPIC_NO):
            raise KeyError(attribute)
        has = table.topic_matrix[:, index]
        return rows & (has if value == TOPIC_YES else ~has)
    if attribute not in table.columns:
        raise KeyError(attribute)
    column = table.columns[attribute]
    return rows & (column == ("" if value == MISSING else value))
