"""A small sentence model that flags sales copy: TF-IDF word n-grams → logistic regression.

Pure scikit-learn (no Django). Training data (insights/data/README.md says where every
sentence comes from):

- label 1, sales copy: ``marketing_sentences.txt``, hand-written for this project;
- label 0, research: ``research_sentences.txt``, hand-written research and agenda sentences in a
  sponsor's voice, plus every sentence of the ICLR 2017 abstracts (data/iclr2017) whose paper
  falls in the *training* part of a fixed hash split of paper ids. The other papers' sentences
  are never trained on; they measure how often the model flags real research
  (:func:`evaluate`, ``manage.py insights_eval``).

The model is linear in TF-IDF features, so a sentence's log-odds are a sum of per-term
contributions; the panel names the terms that pushed a flagged sentence up. Training takes a
fraction of a second and happens once per process, on first use (:func:`sales_copy_model`).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from insights.lexicon import lexicon_hits
from insights.sentences import split_sentences

DATA_DIR = Path(__file__).resolve().parent / "data"
MARKETING_SENTENCES = DATA_DIR / "marketing_sentences.txt"
RESEARCH_SENTENCES = DATA_DIR / "research_sentences.txt"
ICLR_SUBMISSIONS = Path(__file__).resolve().parent.parent / "data" / "iclr2017" / "submissions.csv"

# Papers whose sha256(PID) starts with a byte below this value are training data (≈ 3/8).
ICLR_TRAIN_BYTE_BELOW = 96
# A sentence is flagged when the model's probability of sales copy is at least this. Chosen
# with `manage.py insights_eval` (together with C) to keep held-out ICLR sentences below 0.5%
# flagged while catching most sales sentences in cross-validation; docs/insights.md has the
# figures for each C and threshold tried.
THRESHOLD = 0.6
C = 10.0
EXPLAIN_TERMS = 3
# Shorter sentences ("Our contributions include:", "computes the solution.") carry too little
# evidence for the model; the lexicon still checks them.
MIN_WORDS = 4


@dataclass(frozen=True)
class LabelledSentence:
    text: str
    label: int
    source: str


class DataError(ValueError):
    """A training file is missing or malformed."""


def read_hand_written(path: Path, *, label: int) -> list[LabelledSentence]:
    """Non-empty, non-comment lines of ``path``; the source names the file and line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise DataError(f"Cannot read training sentences from {path}: {error}") from error
    return [
        LabelledSentence(line.strip(), label, f"hand-written {path.name}:{number}")
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def iclr_part(pid: str) -> str:
    """'train' or 'heldout': a fixed split by paper, so one abstract never sits in both."""
    first = hashlib.sha256(pid.encode("utf-8")).digest()[0]
    return "train" if first < ICLR_TRAIN_BYTE_BELOW else "heldout"


def read_iclr_sentences(path: Path, *, part: str) -> list[LabelledSentence]:
    """Sentences of the ICLR 2017 abstracts in ``part`` ('train' or 'heldout'), label 0."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as error:
        raise DataError(f"Cannot read ICLR abstracts from {path}: {error}") from error
    result = []
    for row in rows:
        pid, abstract = row.get("PID") or "", row.get("Abstract") or ""
        if not pid or iclr_part(pid) != part:
            continue
        for sentence in split_sentences(abstract):
            if len(sentence.text) >= 20:
                result.append(LabelledSentence(sentence.text, 0, f"iclr2017 {pid}"))
    return result


def training_sentences() -> list[LabelledSentence]:
    return [
        *read_hand_written(MARKETING_SENTENCES, label=1),
        *read_hand_written(RESEARCH_SENTENCES, label=0),
        *read_iclr_sentences(ICLR_SUBMISSIONS, part="train"),
    ]


_MONEY = re.compile(r"[$€£¥] ?\d[\d,.]*")
_PERCENT = re.compile(r"\d[\d,.]* ?%")
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|io|ai|example)\b", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")


def normalise(text: str) -> str:
    """Lower case, with amounts of money, percentages, addresses and digits as placeholders."""
    text = _URL.sub(" webaddress ", text)
    text = _MONEY.sub(" moneyamount ", text)
    text = _PERCENT.sub(" percentamount ", text)
    return _DIGITS.sub("0", text.lower())


class SalesCopyModel:
    """TF-IDF (word 1–2-grams) → class-balanced, L2-regularised logistic regression."""

    def __init__(self, *, c: float = C, threshold: float = THRESHOLD) -> None:
        self.c = c
        self.threshold = threshold

    def fit(self, texts: Sequence[str], labels: Sequence[int]) -> Self:
        self.vectorizer_ = TfidfVectorizer(
            preprocessor=normalise,
            token_pattern=r"[a-z0-9_]+(?:['’-][a-z0-9_]+)*",
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=1,
            dtype=np.float64,
        )
        features = self.vectorizer_.fit_transform(texts)
        # liblinear: an order of magnitude faster than lbfgs on this small sparse problem.
        self.classifier_ = LogisticRegression(
            C=self.c, class_weight="balanced", solver="liblinear", max_iter=1000
        )
        self.classifier_.fit(features, np.asarray(labels))
        self.terms_ = self.vectorizer_.get_feature_names_out()
        self.coef_ = self.classifier_.coef_[0]
        return self

    def predict_proba(self, texts: Sequence[str]) -> NDArray[np.float64]:
        """Probability that each text is sales copy."""
        if not texts:
            return np.zeros(0)
        return self.classifier_.predict_proba(self.vectorizer_.transform(texts))[:, 1]

    def verdicts(self, texts: Sequence[str]) -> list[ModelVerdict]:
        """Probability per text, and for flagged texts the terms that pushed it up most."""
        if not texts:
            return []
        features = self.vectorizer_.transform(texts).tocsr()
        probabilities = self.classifier_.predict_proba(features)[:, 1]
        result = []
        for row, p in enumerate(probabilities):
            terms: tuple[str, ...] = ()
            fired = bool(p >= self.threshold) and len(texts[row].split()) >= MIN_WORDS
            if fired:
                start, end = features.indptr[row], features.indptr[row + 1]
                indices = features.indices[start:end]
                contributions = features.data[start:end] * self.coef_[indices]
                order = np.argsort(-contributions)
                terms = tuple(
                    str(self.terms_[indices[i]])
                    for i in order[:EXPLAIN_TERMS]
                    if contributions[i] > 0
                )
            applies = len(texts[row].split()) >= MIN_WORDS
            result.append(ModelVerdict(float(p), fired, terms, applies))
        return result


@dataclass(frozen=True)
class ModelVerdict:
    p: float
    fired: bool
    terms: tuple[str, ...]
    applies: bool = True  # False for sentences under MIN_WORDS words: too short to judge


@dataclass(frozen=True)
class TrainedModel:
    model: SalesCopyModel
    n_sales: int
    n_research: int
    seconds: float


@functools.cache
def sales_copy_model() -> TrainedModel:
    """The model trained on insights/data and the ICLR training part; once per process."""
    started = time.perf_counter()
    data = training_sentences()
    labels = [s.label for s in data]
    model = SalesCopyModel().fit([s.text for s in data], labels)
    return TrainedModel(
        model=model,
        n_sales=sum(labels),
        n_research=len(labels) - sum(labels),
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Evaluation:
    n_sales: int
    n_research: int
    threshold: float
    cv_auc: float
    cv_precision: float
    cv_recall: float
    cv_recall_either: float
    cv_precision_either: float
    heldout_sentences: int
    heldout_flagged_by_model: int
    heldout_flagged_by_lexicon: int
    heldout_flagged_by_either: int
    sales_caught_by_lexicon: float

    @property
    def heldout_model_rate(self) -> float:
        return self.heldout_flagged_by_model / max(self.heldout_sentences, 1)

    @property
    def heldout_either_rate(self) -> float:
        return self.heldout_flagged_by_either / max(self.heldout_sentences, 1)


def evaluate(*, c: float = C, threshold: float = THRESHOLD, folds: int = 5) -> Evaluation:
    """Cross-validated precision/recall on the training sentences; flag rates on held-out ICLR."""
    data = training_sentences()
    texts = [s.text for s in data]
    labels = np.asarray([s.label for s in data], dtype=np.int64)
    label_list = [s.label for s in data]
    probabilities = np.zeros(len(data))
    predicted = np.zeros(len(data), dtype=bool)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train, test in splitter.split(texts, labels):
        model = SalesCopyModel(c=c, threshold=threshold).fit(
            [texts[i] for i in train], [label_list[i] for i in train]
        )
        verdicts = model.verdicts([texts[i] for i in test])
        probabilities[test] = [v.p for v in verdicts]
        predicted[test] = [v.fired for v in verdicts]
    heldout = [s.text for s in read_iclr_sentences(ICLR_SUBMISSIONS, part="heldout")]
    full = SalesCopyModel(c=c, threshold=threshold).fit(texts, label_list)
    by_model = np.asarray([v.fired for v in full.verdicts(heldout)], dtype=bool)
    by_lexicon = np.asarray([bool(lexicon_hits(t)) for t in heldout])
    by_lexicon_cv = np.asarray([bool(lexicon_hits(t)) for t in texts])
    either_cv = predicted | by_lexicon_cv
    sales = [t for t, label in zip(texts, labels, strict=True) if label == 1]
    return Evaluation(
        n_sales=int(labels.sum()),
        n_research=int(len(labels) - labels.sum()),
        threshold=threshold,
        cv_auc=float(roc_auc_score(labels, probabilities)),
        cv_precision=float(precision_score(labels, predicted, zero_division=0)),
        cv_recall=float(recall_score(labels, predicted)),
        cv_recall_either=float(recall_score(labels, either_cv)),
        cv_precision_either=float(precision_score(labels, either_cv, zero_division=0)),
        heldout_sentences=len(heldout),
        heldout_flagged_by_model=int(by_model.sum()),
        heldout_flagged_by_lexicon=int(by_lexicon.sum()),
        heldout_flagged_by_either=int((by_model | by_lexicon).sum()),
        sales_caught_by_lexicon=sum(bool(lexicon_hits(t)) for t in sales) / max(len(sales), 1),
    )
