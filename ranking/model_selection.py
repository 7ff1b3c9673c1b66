"""Choosing the relevance model by measurement: repeated stratified k-fold on real decisions.

Reproduces the comparison table of docs/relevance.md (no Django needed)::

    .venv/bin/python -m ranking.model_selection data/iclr2017/submissions.csv

ICLR 2017 decisions: 1 (oral) and 2 (poster) are accepted; 0 (reject) and -1 (invited to the
workshop track) are not. Each candidate is refitted from scratch in every outer fold — the
vectorizer, the inner choice of ``C`` and the calibration see only the training part — so the
figures are honest estimates, averaged over 3 × 5 folds with fixed seeds rather than tuned to
one split.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.pipeline import make_pipeline

from ranking.evaluation import DataError
from ranking.model import RelevanceClassifier, build_relevance_classifier, proposal_document

ICLR_ACCEPTED = {"1", "2"}
ICLR_NOT_ACCEPTED = {"0", "-1"}
DEFAULT_CSV = Path(__file__).resolve().parent.parent / "data" / "iclr2017" / "submissions.csv"


class Classifier(Protocol):
    def fit(self, X: list[str], y: Any) -> Any: ...

    def predict_proba(self, X: list[str]) -> Any: ...


def _baseline() -> Classifier:
    # A plain TF-IDF + logistic regression with scikit-learn's defaults: the bar to beat.
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))


CANDIDATES: dict[str, Callable[[], Classifier]] = {
    "baseline: word TF-IDF + LR (C=1)": _baseline,
    # The project's model (ranking.model.build_relevance_classifier).
    "words 1–2 + LR (inner-CV C) + sigmoid": build_relevance_classifier,
    "words 1–2 + chars 3–5 + LR (inner-CV C) + sigmoid": lambda: RelevanceClassifier(
        char_ngram_range=(3, 5)
    ),
}


def _keywords(cell: str) -> list[str]:
    # The Keyword column holds a Python list literal, e.g. "['Deep learning', 'Theory']".
    text = (cell or "").strip()
    if not text:
        return []
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return [text]
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def load_iclr(path: str | Path) -> tuple[list[str], list[int]]:
    """Documents (title, abstract, keywords) and accepted labels from the ICLR 2017 CSV."""
    documents: list[str] = []
    labels: list[int] = []
    with Path(path).open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        for row in csv.DictReader(handle):
            decision = (row.get("Decision") or "").strip()
            if decision not in ICLR_ACCEPTED | ICLR_NOT_ACCEPTED:
                raise DataError(f"Unknown ICLR decision {decision!r} for {row.get('PID')!r}.")
            labels.append(int(decision in ICLR_ACCEPTED))
            documents.append(
                proposal_document(
                    title=row.get("Title"),
                    abstract=row.get("Abstract"),
                    topics=_keywords(row.get("Keyword") or ""),
                )
            )
    return documents, labels


@dataclass(frozen=True)
class CandidateResult:
    name: str
    auc_mean: float
    auc_sd: float
    brier_mean: float
    brier_sd: float
    fit_seconds_median: float
    folds: int
    # Paired with the first candidate (the baseline) on the same splits.
    auc_gain_mean: float
    auc_gain_sd: float
    folds_better: int


def compare(
    documents: Sequence[str],
    labels: Sequence[int],
    *,
    candidates: dict[str, Callable[[], Classifier]] = CANDIDATES,
    folds: int = 5,
    repeats: int = 3,
    seed: int = 2017,
) -> list[CandidateResult]:
    """Repeated stratified k-fold AUC and Brier of each candidate on the same splits."""
    docs = np.asarray(documents, dtype=object)
    y = np.asarray(labels, dtype=int)
    splits = list(
        RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed).split(docs, y)
    )
    results: list[CandidateResult] = []
    baseline_aucs: list[float] = []
    for name, build in candidates.items():
        aucs, briers, seconds = [], [], []
        for train, test in splits:
            model = build()
            start = time.perf_counter()
            model.fit(list(docs[train]), y[train])
            seconds.append(time.perf_counter() - start)
            p = np.asarray(model.predict_proba(list(docs[test])))[:, 1]
            aucs.append(float(roc_auc_score(y[test], p)))
            briers.append(float(brier_score_loss(y[test], p)))
        baseline_aucs = baseline_aucs or aucs
        gains = [a - b for a, b in zip(aucs, baseline_aucs, strict=True)]
        results.append(
            CandidateResult(
                name=name,
                auc_mean=statistics.fmean(aucs),
                auc_sd=statistics.stdev(aucs),
                brier_mean=statistics.fmean(briers),
                brier_sd=statistics.stdev(briers),
                fit_seconds_median=statistics.median(seconds),
                folds=len(splits),
                auc_gain_mean=statistics.fmean(gains),
                auc_gain_sd=statistics.stdev(gains),
                folds_better=sum(g > 0 for g in gains),
            )
        )
    return results


def markdown_table(results: Sequence[CandidateResult]) -> str:
    lines = [
        "| model | ROC AUC mean ± sd | Brier mean ± sd | AUC − baseline, paired "
        "(folds better) | fit time (median) |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.auc_mean:.3f} ± {r.auc_sd:.3f} | "
            f"{r.brier_mean:.3f} ± {r.brier_sd:.3f} | "
            f"{r.auc_gain_mean:+.3f} ± {r.auc_gain_sd:.3f} ({r.folds_better}/{r.folds}) | "
            f"{r.fit_seconds_median:.2f} s |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV), help="ICLR submissions CSV")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
    args = parser.parse_args(argv)
    documents, labels = load_iclr(args.csv)
    results = compare(documents, labels, folds=args.folds, repeats=args.repeats, seed=args.seed)
    if args.format == "json":
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        positives = sum(labels)
        rate = positives / len(labels)
        print(
            f"{len(labels)} documents, {positives} accepted; "
            f"{args.repeats}×{args.folds}-fold stratified CV, seed {args.seed}; "
            f"Brier of always predicting the base rate: {rate * (1 - rate):.3f}\n"
        )
        print(markdown_table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
