"""What a relevance model gives weight to — pure numpy/scipy/statsmodels, no Django.

Three questions, each answered on the model's training proposals (earlier editions' decided
proposals) with the model's own scores:

1. **Groups at equal decision.** Does the model score a topic, format or sponsor group higher
   than others *with the same decision*? Each proposal's score minus the mean score of the
   proposals with the same decision (accepted / not accepted) is its *adjusted score*; a group's
   gap is the mean adjusted score of its members. A gap means the model favours the group
   beyond what the decisions it learnt from explain. Tested per group (members vs the rest,
   Welch's t-test), Holm-adjusted over all groups shown.
2. **House style.** Are the terms that raise scores most used mostly by one sponsor tier? For
   each (term, tier): Fisher's exact test (one-sided) of "uses the term" × "is of the tier", with
   the lift P(tier | term) / P(tier); Holm-adjusted over all pairs tested.
3. **Length.** Do longer proposals score higher at equal decision? Spearman's ρ between the
   word count and the adjusted score.

Groups with fewer than ``MIN_GROUP`` proposals are not shown (as on the fairness pages).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.stats
from numpy.typing import ArrayLike, NDArray
from statsmodels.stats.multitest import multipletests

MIN_GROUP = 5
ALPHA = 0.05
# Flags need a difference that matters, not only one that is detectable.
GAP_FLAG = 0.03  # score points (scores run from 0 to 1)
LIFT_FLAG = 1.5
RHO_FLAG = 0.2


def adjusted_scores(scores: ArrayLike, labels: ArrayLike) -> NDArray[np.float64]:
    """Each score minus the mean score of the proposals with the same decision."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels).astype(int)
    adjusted = s.copy()
    for value in (0, 1):
        members = y == value
        if members.any():
            adjusted[members] -= s[members].mean()
    return adjusted


def _holm(p_values: list[float]) -> list[float]:
    if not p_values:
        return []
    return [float(p) for p in multipletests(p_values, alpha=ALPHA, method="holm")[1]]


@dataclass(frozen=True)
class GroupScore:
    attribute: str
    group: str
    n: int
    n_accepted: int
    mean_accepted: float | None
    mean_not_accepted: float | None
    gap: float
    p_value: float | None
    p_adjusted: float | None
    flagged: bool


def group_scores(
    scores: ArrayLike,
    labels: ArrayLike,
    attributes: Mapping[str, Sequence[Sequence[str]]],
) -> list[GroupScore]:
    """Gap at equal decision of every group with at least ``MIN_GROUP`` members (and at least
    as many non-members to compare with).

    ``attributes`` maps an attribute to each proposal's groups: one for a format or a tier,
    any number for topics.
    """
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels).astype(int)
    adjusted = adjusted_scores(s, y)
    pending: list[tuple[str, str, NDArray[np.bool_], float]] = []
    for attribute, memberships in attributes.items():
        if len(memberships) != len(s):
            raise ValueError(f"{attribute!r} has {len(memberships)} rows for {len(s)} scores.")
        names = sorted({g for groups in memberships for g in groups})
        for name in names:
            members = np.fromiter((name in groups for groups in memberships), bool, len(s))
            if members.sum() < MIN_GROUP or (~members).sum() < MIN_GROUP:
                continue
            inside, outside = adjusted[members], adjusted[~members]
            test = scipy.stats.ttest_ind(inside, outside, equal_var=False)
            p = float(test.pvalue)
            pending.append((attribute, name, members, p))
    adjusted_p = _holm([p for *_, p in pending if not math.isnan(p)])
    iterator = iter(adjusted_p)
    result = []
    for attribute, name, members, p in pending:
        p_adj = None if math.isnan(p) else next(iterator)
        gap = float(adjusted[members].mean())
        accepted = members & (y == 1)
        rejected = members & (y == 0)
        result.append(
            GroupScore(
                attribute=attribute,
                group=name,
                n=int(members.sum()),
                n_accepted=int(accepted.sum()),
                mean_accepted=float(s[accepted].mean()) if accepted.any() else None,
                mean_not_accepted=float(s[rejected].mean()) if rejected.any() else None,
                gap=gap,
                p_value=None if math.isnan(p) else p,
                p_adjusted=p_adj,
                flagged=p_adj is not None and p_adj < ALPHA and abs(gap) >= GAP_FLAG,
            )
        )
    return result


@dataclass(frozen=True)
class TermConcentration:
    term: str
    contribution: float
    n_documents: int
    group: str
    share_in_group: float
    base_share: float
    lift: float
    p_adjusted: float | None
    flagged: bool


def term_concentration(
    presence: ArrayLike,
    terms: Sequence[str],
    contributions: Sequence[float],
    groups: Sequence[str],
    *,
    ignore: frozenset[str] = frozenset({"unknown"}),
) -> list[TermConcentration]:
    """For each term, the group (e.g. sponsor tier) whose proposals use it most out of
    proportion, and whether that is more than chance.

    ``presence`` is a documents × terms boolean matrix; ``contributions`` the terms' average
    contributions to the model's decision value. Terms used by fewer than ``MIN_GROUP``
    documents are left out. Groups in ``ignore`` are counted but never reported.
    """
    used = np.asarray(presence, dtype=bool)
    group_of = np.asarray([str(g) for g in groups])
    if used.shape != (len(group_of), len(terms)):
        raise ValueError("presence must be documents × terms.")
    names = sorted(set(group_of.tolist()) - ignore)
    n = len(group_of)
    tests: list[tuple[int, str, float, float, float, int]] = []
    for j in range(len(terms)):
        with_term = used[:, j]
        k = int(with_term.sum())
        if k < MIN_GROUP:
            continue
        for name in names:
            in_group = group_of == name
            a = int((with_term & in_group).sum())
            table = [[a, k - a], [int(in_group.sum()) - a, n - k - int(in_group.sum()) + a]]
            p = float(scipy.stats.fisher_exact(table, alternative="greater").pvalue)
            share, base = a / k, float(in_group.mean())
            tests.append((j, name, share, base, p, k))
    adjusted = _holm([t[4] for t in tests])
    best: dict[int, TermConcentration] = {}
    for (j, name, share, base, _, k), p_adj in zip(tests, adjusted, strict=True):
        lift = share / base if base else 0.0
        candidate = TermConcentration(
            term=terms[j],
            contribution=float(contributions[j]),
            n_documents=k,
            group=name,
            share_in_group=share,
            base_share=base,
            lift=lift,
            p_adjusted=p_adj,
            flagged=p_adj < ALPHA and lift >= LIFT_FLAG and contributions[j] > 0,
        )
        current = best.get(j)
        if current is None or (candidate.flagged, candidate.lift) > (current.flagged, current.lift):
            best[j] = candidate
    return [best[j] for j in sorted(best, key=lambda j: -float(contributions[j]))]


@dataclass(frozen=True)
class LengthEffect:
    n: int
    rho: float | None
    p_value: float | None
    flagged: bool


def length_effect(word_counts: ArrayLike, scores: ArrayLike, labels: ArrayLike) -> LengthEffect:
    """Spearman's ρ between length and the score at equal decision."""
    counts = np.asarray(word_counts, dtype=float)
    adjusted = adjusted_scores(scores, labels)
    if len(counts) < MIN_GROUP or np.ptp(counts) == 0 or np.ptp(adjusted) == 0:
        return LengthEffect(len(counts), None, None, False)
    result = scipy.stats.spearmanr(counts, adjusted)
    rho, p = float(result.statistic), float(result.pvalue)
    return LengthEffect(len(counts), rho, p, p < ALPHA and abs(rho) >= RHO_FLAG)


@dataclass(frozen=True)
class Finding:
    level: Literal["warn", "ok", "info"]
    text: str


def _p(value: float | None) -> str:
    if value is None:
        return "p not computable"
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def analysis_summary(
    *,
    n: int,
    n_accepted: int,
    groups: Sequence[GroupScore],
    terms: Sequence[TermConcentration],
    length: LengthEffect,
    tier_attribute: str = "sponsor tier",
) -> list[Finding]:
    """Plain-language findings, warnings first."""
    findings: list[Finding] = []
    for group in sorted((g for g in groups if g.flagged), key=lambda g: -abs(g.gap)):
        direction = "higher" if group.gap > 0 else "lower"
        sponsor = group.attribute == tier_attribute or "sponsor" in group.attribute
        why = (
            " The model may be rewarding who the sponsor is rather than what the proposal says."
            if sponsor and group.gap > 0
            else " The model may be learning a preference the decisions do not justify."
        )
        findings.append(
            Finding(
                "warn",
                f"{group.group} ({group.attribute}): scores {abs(group.gap):.2f} {direction} "
                f"than other proposals with the same decision (n = {group.n}, Holm-adjusted "
                f"{_p(group.p_adjusted)}).{why}",
            )
        )
    styled = [t for t in terms if t.flagged]
    if styled:
        listed = "; ".join(
            f"“{t.term}” ({t.group}: {t.share_in_group:.0%} of the {t.n_documents} proposals "
            f"using it, {t.base_share:.0%} of all)"
            for t in styled[:5]
        )
        findings.append(
            Finding(
                "warn",
                f"{len(styled)} of the {len(terms)} terms that raise scores most are used mostly "
                f"by one {tier_attribute}: {listed}. They may be a sponsor's house style rather "
                "than a sign of quality.",
            )
        )
    if length.flagged and length.rho is not None:
        direction = "higher" if length.rho > 0 else "lower"
        findings.append(
            Finding(
                "warn",
                f"Longer proposals score {direction} at equal decision (Spearman ρ = "
                f"{length.rho:.2f}, {_p(length.p_value)}): the model rewards "
                f"{'length' if length.rho > 0 else 'brevity'}, not only content.",
            )
        )
    if not findings:
        findings.append(
            Finding(
                "ok",
                "At equal decision, no topic, format or sponsor group scores clearly higher or "
                "lower than the rest, no raising term is concentrated in one sponsor tier, and "
                "length does not drive the score. With "
                f"{n} past decisions, small differences can go unnoticed.",
            )
        )
    findings.append(
        Finding(
            "info",
            f"The model learnt from {n} decided proposals of earlier editions ({n_accepted} "
            "accepted). It reproduces what those decisions rewarded, including any bias in them.",
        )
    )
    return findings
