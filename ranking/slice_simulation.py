"""Simulated expo decisions with a known truth, to measure how often the slice flags are right.

Pure numpy; no Django. Each scenario draws proposals with a latent quality, a noisy relevance
score, a format and four sponsor attributes, then accepts each proposal with a logistic model.
``simulation_rates`` runs ``slice_report`` on many seeds and counts how often it flags.

    python -m ranking.slice_simulation --seeds 200   # the table in docs/fairness.md
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ranking.slices import SliceReport, slice_report

Scenario = Literal["null", "penalty", "simpson", "quality_gap", "new_gap", "old_gap"]
Analysis = Literal["crude", "adjusted"]

SCENARIOS: dict[Scenario, str] = {
    "null": "(a) no effect: decisions depend on quality and format only",
    "penalty": "(b) LATAM penalised (odds x {odds:g}) at equal quality and format",
    "simpson": "(c) startups submit mostly workshops, accepted less; no effect within formats",
    "quality_gap": "(d) startups' proposals are weaker (quality -0.5 sd); no penalty",
    "new_gap": "(e) LATAM penalty (odds x {odds:g}) only in the current of 4 editions",
    "old_gap": "(f) the same LATAM penalty in all 4 editions",
}
TARGET: dict[Scenario, tuple[str, str] | None] = {
    "null": None,
    "penalty": ("region", "LATAM"),
    "simpson": ("tier", "startup"),
    "quality_gap": ("tier", "startup"),
    "new_gap": ("region", "LATAM"),
    "old_gap": ("region", "LATAM"),
}
SLICES = ("region", "tier", "size", "first_time")
REGIONS = (("NA", 0.35), ("EU", 0.30), ("APAC", 0.15), ("LATAM", 0.12), ("MEA", 0.08))
TIERS = (("gold", 0.15), ("silver", 0.30), ("bronze", 0.30), ("startup", 0.25))
SIZES = (("1-10", 0.2), ("11-200", 0.3), ("201-5000", 0.3), ("5000+", 0.2))
FIRST_TIME = (("yes", 0.4), ("no", 0.6))
FORMATS = ("talk", "demo", "workshop")
FORMAT_MIX = (0.5, 0.3, 0.2)
STARTUP_FORMAT_MIX = (0.15, 0.15, 0.70)  # scenario (c): startups favour workshops
OTHERS_FORMAT_MIX = (0.55, 0.32, 0.13)  # keeps the overall mix close to FORMAT_MIX
# Log-odds of acceptance: workshops take four 60-minute slots, so far fewer are accepted.
FORMAT_EFFECT = np.array([0.0, -0.3, -1.5])
INTERCEPT = -0.2
QUALITY_EFFECT = 1.2
SCORE_NOISE = 0.5  # the relevance score sees quality through noise (sd, in quality units)
PENALTY_ODDS = 0.5
EDITIONS = ("2023", "2024", "2025", "2026")


def _draw(
    rng: np.random.Generator, choices: Sequence[tuple[str, float]], n: int
) -> npt.NDArray[np.str_]:
    labels = np.array([label for label, _ in choices])
    weights = np.array([weight for _, weight in choices])
    return labels[rng.choice(len(labels), size=n, p=weights / weights.sum())]


def expo_decisions_simulate(
    *,
    scenario: Scenario,
    seed: int,
    n: int = 600,
    penalise: bool = True,
    penalty_odds: float = PENALTY_ODDS,
) -> dict[str, npt.NDArray[np.str_] | npt.NDArray[np.float64] | npt.NDArray[np.int8]]:
    """One edition's decisions under ``scenario``; ``penalise`` False drops a planted penalty.

    ``penalty_odds`` is the factor on LATAM's odds of acceptance at equal quality and format.
    """
    rng = np.random.default_rng(seed)
    region = _draw(rng, REGIONS, n)
    tier = _draw(rng, TIERS, n)
    startup = tier == "startup"
    if scenario == "simpson":
        mix = np.where(startup[:, None], STARTUP_FORMAT_MIX, OTHERS_FORMAT_MIX)
        format_code = (rng.random(n)[:, None] > np.cumsum(mix, axis=1)).sum(axis=1)
    else:
        format_code = rng.choice(3, size=n, p=FORMAT_MIX)
    quality = rng.normal(size=n)
    if scenario == "quality_gap":
        quality = quality - 0.5 * startup
    score = 1 / (1 + np.exp(-(quality + rng.normal(scale=SCORE_NOISE, size=n))))
    logit = INTERCEPT + QUALITY_EFFECT * quality + FORMAT_EFFECT[format_code]
    if scenario in ("penalty", "new_gap", "old_gap") and penalise:
        logit = logit + np.log(penalty_odds) * (region == "LATAM")
    accepted = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    return {
        "accepted": accepted,
        "region": region,
        "tier": tier,
        "size": _draw(rng, SIZES, n),
        "first_time": _draw(rng, FIRST_TIME, n),
        "format": np.array(FORMATS)[format_code],
        "score": np.round(score, 4),
    }


def expo_editions_simulate(
    *, scenario: Scenario, seed: int, n: int = 600, penalty_odds: float = PENALTY_ODDS
) -> dict[str, npt.NDArray[np.str_] | npt.NDArray[np.float64] | npt.NDArray[np.int8]]:
    """Four editions stacked with an ``edition`` column; "new_gap" penalises only the last."""
    parts = []
    for index, edition in enumerate(EDITIONS):
        penalise = scenario != "new_gap" or index == len(EDITIONS) - 1
        part: dict[str, np.ndarray] = dict(
            expo_decisions_simulate(
                scenario=scenario,
                seed=seed * 100 + index,
                n=n,
                penalise=penalise,
                penalty_odds=penalty_odds,
            )
        )
        part["edition"] = np.full(n, edition)
        parts.append(part)
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def simulation_report(
    *,
    scenario: Scenario,
    seed: int,
    analysis: Analysis,
    n: int = 600,
    penalty_odds: float = PENALTY_ODDS,
) -> SliceReport:
    """The slice report of one simulated data set, crude or at equal format and score."""
    adjusted = analysis == "adjusted"
    with_editions = scenario in ("new_gap", "old_gap")
    data = (
        expo_editions_simulate(scenario=scenario, seed=seed, n=n, penalty_odds=penalty_odds)
        if with_editions
        else expo_decisions_simulate(scenario=scenario, seed=seed, n=n, penalty_odds=penalty_odds)
    )
    return slice_report(
        data,
        outcome="accepted",
        slices=SLICES,
        strata=("format",) if adjusted else (),
        score="score" if adjusted else None,
        edition="edition" if with_editions else None,
    )


@dataclass(frozen=True)
class SimulationRate:
    """Share of seeds on which the report did something, for one scenario and analysis."""

    scenario: Scenario
    analysis: Analysis
    seeds: int
    n: int  # proposals in the (current) edition the report is about
    earlier: int  # proposals of earlier editions, for the test of change
    penalty_odds: float
    any_alert: float  # some slice flagged (q <= 0.05)
    any_flag: float  # some slice at alert or watch (q <= 0.20)
    target_alert: float | None  # the slice with the planted effect (or confounding) flagged
    target_flag: float | None
    target_new: float | None  # the target slice's trend is "new" (edition scenarios)
    other_alert: float  # some slice of an attribute without any effect flagged
    seconds: float


def simulation_rates(
    *,
    seeds: int,
    n: int = 600,
    scenarios: Sequence[Scenario] = tuple(SCENARIOS),
    analyses: Sequence[Analysis] = ("crude", "adjusted"),
    first_seed: int = 1,
    penalty_odds: float = PENALTY_ODDS,
) -> list[SimulationRate]:
    """Run every scenario and analysis on ``seeds`` seeds and return the rates."""
    rows = []
    for scenario in scenarios:
        target = TARGET[scenario]
        for analysis in analyses:
            started = time.perf_counter()
            any_alert = any_flag = target_alert = target_flag = target_new = other_alert = 0
            for seed in range(first_seed, first_seed + seeds):
                report = simulation_report(
                    scenario=scenario,
                    seed=seed,
                    analysis=analysis,
                    n=n,
                    penalty_odds=penalty_odds,
                )
                levels = [(r.attribute, r.value, r.level, r.trend) for r in report.slices]
                any_alert += any(level == "alert" for _, _, level, _ in levels)
                any_flag += any(level in ("alert", "watch") for _, _, level, _ in levels)
                # Slices of the other attributes, which are independent of everything: a
                # penalty on LATAM rightly makes the other regions look favoured against a rest
                # that contains LATAM, so those are not counted as false alerts.
                other_alert += any(
                    level == "alert" and (target is None or attribute != target[0])
                    for attribute, _, level, _ in levels
                )
                for attribute, value, level, trend in levels:
                    if (attribute, value) == target:
                        target_alert += level == "alert"
                        target_flag += level in ("alert", "watch")
                        target_new += trend == "new"
            with_editions = scenario in ("new_gap", "old_gap")
            rows.append(
                SimulationRate(
                    scenario=scenario,
                    analysis=analysis,
                    seeds=seeds,
                    n=n,
                    earlier=n * (len(EDITIONS) - 1) if with_editions else 0,
                    penalty_odds=penalty_odds,
                    any_alert=any_alert / seeds,
                    any_flag=any_flag / seeds,
                    target_alert=target_alert / seeds if target else None,
                    target_flag=target_flag / seeds if target else None,
                    target_new=target_new / seeds if with_editions else None,
                    other_alert=other_alert / seeds,
                    seconds=time.perf_counter() - started,
                )
            )
    return rows


def simulation_markdown(rows: Sequence[SimulationRate]) -> str:
    """The rates as a Markdown table (the one in docs/fairness.md)."""

    def share(value: float | None) -> str:
        return "-" if value is None else f"{value:.1%}"

    lines = [
        "| scenario | analysis | proposals | any slice alert | any alert/watch | target alert "
        '| target alert/watch | target "new" | alert on an unrelated attribute |',
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        analysis = "crude" if row.analysis == "crude" else "by format + score"
        scenario = SCENARIOS[row.scenario].format(odds=row.penalty_odds)
        proposals = f"{row.n} + {row.earlier} earlier" if row.earlier else str(row.n)
        lines.append(
            f"| {scenario} | {analysis} | {proposals} | {share(row.any_alert)} "
            f"| {share(row.any_flag)} | {share(row.target_alert)} | {share(row.target_flag)} "
            f"| {share(row.target_new)} | {share(row.other_alert)} |"
        )
    return "\n".join(lines)


def power_markdown(rows: Sequence[SimulationRate]) -> str:
    """Scenario (b) at several sizes and penalties: how often the penalised region is caught."""
    lines = [
        "| proposals | LATAM slice (about) | odds factor | alert | alert or watch "
        "| alert on an unrelated attribute |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.n} | {round(row.n * dict(REGIONS)['LATAM'])} | {row.penalty_odds:g} "
            f"| {row.target_alert or 0:.1%} | {row.target_flag or 0:.1%} | {row.other_alert:.1%} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--n", type=int, default=600, help="proposals per edition")
    parser.add_argument(
        "--power-sizes",
        type=int,
        nargs="*",
        default=[300, 600, 1500, 3000],
        help="sizes for the power table of scenario (b)",
    )
    parser.add_argument(
        "--power-odds", type=float, nargs="*", default=[0.5, 0.33], help="penalties for it"
    )
    parser.add_argument(
        "--editions-n", type=int, default=1500, help="proposals per edition, editions table"
    )
    parser.add_argument(
        "--editions-odds", type=float, default=0.33, help="penalty for the editions table"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(simulation_markdown(simulation_rates(seeds=args.seeds, n=args.n)))
    print()
    power = [
        row
        for odds in args.power_odds
        for size in args.power_sizes
        for row in simulation_rates(
            seeds=args.seeds,
            n=size,
            scenarios=("penalty",),
            analyses=("adjusted",),
            penalty_odds=odds,
        )
    ]
    print(power_markdown(power))
    print()
    print(
        simulation_markdown(
            simulation_rates(
                seeds=args.seeds,
                n=args.editions_n,
                scenarios=("new_gap", "old_gap"),
                analyses=("adjusted",),
                penalty_odds=args.editions_odds,
            )
        )
    )
    print(f"\n{args.seeds} seeds per row, {time.perf_counter() - started:.0f} s in all.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
