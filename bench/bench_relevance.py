"""Relevance model: retraining on 10,000 proposals and scoring one proposal.

The 10,000 proposals are synthesised deterministically (seed 2017) from the 490 real ICLR 2017
submissions in data/iclr2017: each takes the title, keywords and decision of one submission and
about half the sentences of its abstract and of two other random abstracts. They are resampled
real text, not new proposals — suitable for timing, not for judging accuracy (the same
sentences recur, so the model finds them easier than real proposals). Accuracy is measured on
the real submissions by ``python -m ranking.model_selection`` (docs/relevance.md).
"""

import argparse
import io
import os
import re
import statistics
import time
from collections.abc import Iterator

import joblib
import numpy as np

from bench.common import BenchRow, median_seconds
from ranking.model import RelevanceClassifier, build_relevance_classifier
from ranking.model_selection import DEFAULT_CSV, load_iclr

N_PROPOSALS = 10_000
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def synthetic_proposals(n: int = N_PROPOSALS, seed: int = 2017) -> tuple[list[str], list[int]]:
    """``n`` documents recombined from the ICLR 2017 abstracts, with their source's decision."""
    documents, labels = load_iclr(DEFAULT_CSV)
    heads = [d.split("\n", 1)[0] for d in documents]  # the title line
    bodies = [SENTENCE_END.split(d.split("\n", 1)[-1]) for d in documents]
    rng = np.random.default_rng(seed)
    out_documents, out_labels = [], []
    for _ in range(n):
        own, *others = rng.choice(len(documents), size=3, replace=False)
        sentences = [
            s for source in (own, *others) for s in bodies[source] if rng.random() < 0.5
        ] or bodies[own]
        out_documents.append(heads[own] + "\n" + " ".join(sentences))
        out_labels.append(labels[own])
    return out_documents, out_labels


def rows(args: argparse.Namespace) -> Iterator[BenchRow]:
    documents, labels = synthetic_proposals()
    repeat = 1 if args.quick else 3

    fit_samples, cpu_samples = [], []
    model: RelevanceClassifier | None = None
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        model = build_relevance_classifier().fit(documents, labels)
        fit_samples.append(time.perf_counter() - start)
        cpu_samples.append(time.process_time() - cpu_start)
    assert model is not None
    fit = statistics.median(fit_samples)
    yield BenchRow(
        "relevance",
        f"retrain on {N_PROPOSALS:,} proposals: TF-IDF, C chosen on a held-out third, sigmoid, "
        f"final fit, 2 threads (median of {repeat})",
        f"{fit:.2f} s",
        "< 10 s",
        fit < 10,
    )
    # CPU time of this process (both threads): what the retraining costs when the machine is
    # not shared; wall time above also includes waiting for other processes' CPU.
    yield BenchRow(
        "relevance",
        f"retrain on {N_PROPOSALS:,} proposals: CPU seconds used (median of {repeat}; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)",
        f"{statistics.median(cpu_samples):.2f} s",
        "",
        None,
    )

    # A proposal the model has not seen: the real title and abstract of one submission.
    unseen, _ = load_iclr(DEFAULT_CSV)
    proposal = unseen[123]
    score = median_seconds(lambda: model.explain(proposal), repeat=50 if args.quick else 200)
    yield BenchRow(
        "relevance",
        "score one proposal with explanation, model loaded (median)",
        f"{score * 1000:.2f} ms",
        "< 50 ms",
        score < 0.05,
    )

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    payload = buffer.getvalue()

    def cold_score() -> None:
        import hashlib

        hashlib.sha256(payload).hexdigest()
        joblib.load(io.BytesIO(payload)).explain(proposal)

    cold = median_seconds(cold_score, repeat=3 if args.quick else 10)
    yield BenchRow(
        "relevance",
        f"first score in a fresh worker: sha256 check + unpickle "
        f"{len(payload) / 1e6:.1f} MB + score (median)",
        f"{cold * 1000:.0f} ms",
        "",
        None,
    )
