"""Slice report on 1,000,000 decisions × 4 slice attributes against Fairlearn's MetricFrame.

Issue 6's target: from the CSV file to a full report (rates, Wilson intervals, slice-vs-rest
tests, q-values, levels) in at most a quarter of the time Fairlearn's ``MetricFrame`` takes to
compute the rates alone on the same file, CSV reading included on both sides. The file is
generated from a fixed seed in a temporary directory. Fairlearn is a bench-only dependency; the
bench says so and reports our time alone when it is not installed.

Run: ``.venv/bin/python bench/run.py --only bench_slices`` (``--quick``: one repetition).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import BenchRow, median_seconds
from ranking.slices import SliceReport, slice_report, slice_table_read_csv

ROWS = 1_000_000
SEED = 20261125
SLICES = ("region", "tier", "size", "first_time")
TARGET_RATIO = 0.25
BENCH = "slices"


def decisions_csv_write(path: Path, *, rows: int = ROWS, seed: int = SEED) -> None:
    """A deterministic decisions file; "NA" and "None" are values, some cells are empty."""
    rng = np.random.default_rng(seed)
    region = rng.choice(np.array(["NA", "EU", "APAC", "LATAM", "MEA", "None"]), rows)
    tier = rng.choice(np.array(["gold", "silver", "bronze", "startup"]), rows)
    size = rng.choice(np.array(["1-10", "11-50", "51-250", "251-1000", "1000+"]), rows)
    first_time = rng.choice(np.array(["yes", "no", ""]), rows, p=[0.3, 0.65, 0.05])
    formats = rng.choice(np.array(["talk", "demo", "workshop"]), rows, p=[0.5, 0.3, 0.2])
    score = rng.random(rows)
    logit = -0.8 + 2.0 * (score - 0.5) - 1.2 * (formats == "workshop") - 0.3 * (region == "MEA")
    accepted = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(np.int8)
    pd.DataFrame(
        {
            "accepted": accepted,
            "region": region,
            "tier": tier,
            "size": size,
            "first_time": first_time,
            "format": formats,
            "score": np.round(score, 4),
        }
    ).to_csv(path, index=False)


def report_from_csv(path: Path, *, adjusted: bool = False) -> SliceReport:
    """What ``manage.py slice_report`` does, without printing."""
    table = slice_table_read_csv(
        path,
        binary=["accepted"],
        categorical=[*SLICES, *(["format"] if adjusted else [])],
        numeric=["score"] if adjusted else [],
    )
    return slice_report(
        table,
        outcome="accepted",
        slices=SLICES,
        strata=("format",) if adjusted else (),
        score="score" if adjusted else None,
    )


def fairlearn_rates(path: Path, *, intersection: bool = False) -> list[Any]:
    """Fairlearn's selection rate per value of each attribute (or of their intersection).

    Read literally like ours; Fairlearn refuses missing values, so empty cells get a label.
    """
    from fairlearn.metrics import MetricFrame, selection_rate

    frame = pd.read_csv(
        path,
        usecols=["accepted", *SLICES],
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8-sig",
    )
    y = frame["accepted"].astype("int8").to_numpy()
    features = frame[list(SLICES)].fillna("(missing)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if intersection:
            return [MetricFrame(metrics=selection_rate, y_true=y, y_pred=y,
                                sensitive_features=features).by_group]  # fmt: skip
        return [
            MetricFrame(
                metrics=selection_rate, y_true=y, y_pred=y, sensitive_features=features[name]
            ).by_group
            for name in SLICES
        ]


def _fairlearn_version() -> str | None:
    try:
        import fairlearn
    except ImportError:
        return None
    return str(fairlearn.__version__)


def rows(args: argparse.Namespace) -> Iterable[BenchRow]:
    quick = bool(getattr(args, "quick", False))
    repeat, warmup = (1, 0) if quick else (3, 1)
    with tempfile.TemporaryDirectory(prefix="expo-bench-slices-") as directory:
        path = Path(directory) / "decisions.csv"
        decisions_csv_write(path)
        size_mb = path.stat().st_size / 1e6

        report = report_from_csv(path)
        assert report.overall.n == ROWS
        ours = median_seconds(lambda: report_from_csv(path), repeat=repeat, warmup=warmup)
        yield BenchRow(
            BENCH,
            f"full report, {ROWS:,} rows × 4 slices, {size_mb:.0f} MB CSV read included (s)",
            f"{ours:.2f}",
        )
        adjusted = median_seconds(
            lambda: report_from_csv(path, adjusted=True), repeat=repeat, warmup=warmup
        )
        yield BenchRow(
            BENCH,
            "the same, stratified by format and 5 score quintiles (s)",
            f"{adjusted:.2f}",
        )

        version = _fairlearn_version()
        if version is None:
            yield BenchRow(
                BENCH,
                "Fairlearn MetricFrame rates",
                "fairlearn not installed: pip install 'fairlearn>=0.15,<0.16'",
                f"ratio ≤ {TARGET_RATIO}",
                None,
            )
            return
        baseline = median_seconds(lambda: fairlearn_rates(path), repeat=repeat, warmup=0)
        yield BenchRow(
            BENCH,
            f"Fairlearn {version} MetricFrame selection rates, one frame per attribute, "
            "read included (s)",
            f"{baseline:.2f}",
        )
        yield BenchRow(
            BENCH,
            "full report / Fairlearn rates",
            f"{ours / baseline:.3f}",
            f"≤ {TARGET_RATIO}",
            ours / baseline <= TARGET_RATIO,
        )
        yield BenchRow(
            BENCH,
            "stratified report / Fairlearn rates",
            f"{adjusted / baseline:.3f}",
            f"≤ {TARGET_RATIO}",
            adjusted / baseline <= TARGET_RATIO,
        )
        if not quick:
            crossed = median_seconds(
                lambda: fairlearn_rates(path, intersection=True), repeat=repeat, warmup=0
            )
            yield BenchRow(
                BENCH,
                "Fairlearn MetricFrame over the 4-way intersection, read included (s); "
                "full report / it",
                f"{crossed:.2f}; {ours / crossed:.3f}",
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    for row in rows(parser.parse_args()):
        print(row.markdown(), flush=True)
