"""The relevance classifier and the cold-start topical score — pure scikit-learn, no Django.

Learned score: TF-IDF features (word n-grams, optionally character n-grams) → an L2-regularised
logistic regression whose ``C`` is chosen by inner stratified cross-validation → a monotone
sigmoid (Platt 1999) fitted on the out-of-fold decision values. Because the sigmoid is
increasing in the decision value, and the decision value is a sum of ``coef × tf-idf`` terms
plus an intercept, the per-term contributions explain the calibrated score exactly: a term with
a positive contribution raises the score, one with a negative contribution lowers it.

Topical score (cold start, before any decisions exist): the largest TF-IDF cosine similarity
between the proposal and each of the conference's topics (name and description) and its call
text.

The model choice is measured, not assumed: see ``ranking/model_selection.py`` and
docs/relevance.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Self

import joblib
import numpy as np
import scipy.sparse
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion

DEFAULT_CS: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0)
# Below this many training documents every term is kept (min_df=1): with a handful of
# documents, a term seen twice is rare and min_df=2 would leave almost no vocabulary.
SMALL_CORPUS = 100
TOP_TERMS = 10
# Below this many training documents the fits for choosing C run one after the other: starting
# and stopping a thread pool costs more than the few milliseconds each fit takes.
PARALLEL_FROM = 1000


def proposal_document(
    *, title: str | None, abstract: str | None, outline: str | None = "", topics: Iterable[str] = ()
) -> str:
    """The text the model reads for one proposal; missing fields count as empty."""
    parts = [title or "", abstract or "", outline or "", "\n".join(t for t in topics if t)]
    return "\n".join(part.strip() for part in parts if part and part.strip())


def text_hash(*documents: str) -> str:
    """sha256 of the documents, separated so that ("ab", "c") and ("a", "bc") differ."""
    digest = hashlib.sha256()
    for document in documents:
        encoded = document.encode("utf-8", errors="replace")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()


def _as_documents(documents: Iterable[str | None]) -> list[str]:
    return ["" if d is None else str(d) for d in documents]


@dataclass(frozen=True)
class TermContribution:
    term: str
    contribution: float


@dataclass(frozen=True)
class Explanation:
    """Why a document got its score.

    ``raising``/``lowering``: the terms with the largest positive/negative contributions, largest
    magnitude first. For the learned model ``decision == intercept + sum(all contributions)``
    and the score is ``sigmoid(slope * decision + offset)``.
    """

    score: float
    raising: list[TermContribution] = field(default_factory=list)
    lowering: list[TermContribution] = field(default_factory=list)
    decision: float | None = None
    intercept: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _display_term(feature_name: str) -> str:
    # FeatureUnion names features "<part>__<term>"; character n-grams are quoted because they
    # carry meaningful spaces.
    part, _, term = feature_name.partition("__")
    return f"“{term}”" if part == "chars" else term


def _top_contributions(
    names: NDArray[np.str_], values: NDArray[np.float64], top: int, *, union_names: bool = True
) -> tuple[list[TermContribution], list[TermContribution]]:
    shown = _display_term if union_names else str
    order = np.argsort(values, kind="stable")
    lowering = [
        TermContribution(shown(str(names[i])), float(values[i]))
        for i in order[:top]
        if values[i] < 0
    ]
    raising = [
        TermContribution(shown(str(names[i])), float(values[i]))
        for i in order[::-1][:top]
        if values[i] > 0
    ]
    return raising, lowering


def platt_targets(y: ArrayLike) -> NDArray[np.float64]:
    """Platt's (1999) smoothed targets: (N₊+1)/(N₊+2) for positives, 1/(N₋+2) for negatives.

    They keep the sigmoid finite when the out-of-fold scores separate the classes perfectly.
    """
    labels = np.asarray(y).astype(int)
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return np.where(labels == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))


def fit_monotone_sigmoid(decision: ArrayLike, y: ArrayLike) -> tuple[float, float]:
    """Platt scaling ``P(y=1) = expit(slope * decision + offset)`` constrained to ``slope >= 0``.

    Maximum likelihood on Platt's smoothed targets, fitted by an unpenalised logistic
    regression in which each example appears once as positive (weight t) and once as negative
    (weight 1 - t) — the same likelihood (tested against statsmodels' binomial GLM). The
    likelihood is concave, so if its maximum has a negative slope the constrained maximum lies
    on ``slope = 0``, where the best offset is the logit of the mean target. An increasing
    sigmoid never reverses the order — or the explanation — of the linear model underneath.
    """
    d = np.asarray(decision, dtype=float).reshape(-1, 1)
    target = platt_targets(y)
    features = np.vstack([d, d])
    labels = np.concatenate([np.ones(len(d)), np.zeros(len(d))])
    weights = np.concatenate([target, 1.0 - target])
    # Newton–Cholesky: exact second-order steps on a 1-feature problem; scipy's L-BFGS-B is
    # much slower here (measured ~7 ms per call).
    fit = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10, max_iter=100).fit(
        features, labels, sample_weight=weights
    )
    slope, offset = float(fit.coef_[0, 0]), float(fit.intercept_[0])
    if slope < 0:
        mean = float(target.mean())
        slope, offset = 0.0, float(np.log(mean / (1 - mean)))
    return slope, offset


class RelevanceClassifier(ClassifierMixin, BaseEstimator):
    """Probability that a proposal is accepted, from its text; see the module docstring.

    ``fit``/``predict_proba`` take sequences of documents (strings; ``None`` counts as empty)
    and labels 0/1.
    """

    def __init__(
        self,
        *,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | None = None,
        min_df: int = 2,
        max_features: int | None = 200_000,
        Cs: Sequence[float] = DEFAULT_CS,
        cv_folds: int = 3,
        holdout_above: int = 3000,
        random_state: int = 0,
        n_jobs: int | None = None,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.Cs = Cs
        self.cv_folds = cv_folds
        self.holdout_above = holdout_above
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _vectorizer(self, n_documents: int) -> FeatureUnion:
        min_df = self.min_df if n_documents >= SMALL_CORPUS else 1
        common: dict[str, Any] = {
            "strip_accents": "unicode",
            "lowercase": True,
            "sublinear_tf": True,
            "min_df": min_df,
            "max_df": 0.95 if n_documents >= SMALL_CORPUS else 1.0,
            "dtype": np.float64,
        }
        parts: list[tuple[str, TfidfVectorizer]] = [
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=self.word_ngram_range,
                    stop_words="english",
                    max_features=self.max_features,
                    **common,
                ),
            )
        ]
        if self.char_ngram_range is not None:
            parts.append(
                (
                    "chars",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=self.char_ngram_range,
                        max_features=self.max_features,
                        **common,
                    ),
                )
            )
        return FeatureUnion(parts)

    def fit(self, X: Iterable[str | None], y: ArrayLike) -> Self:
        documents = _as_documents(X)
        labels = np.asarray(y).astype(int)
        if labels.shape != (len(documents),):
            raise ValueError("X and y must have the same length.")
        if not np.isin(labels, (0, 1)).all():
            raise ValueError("Labels must be 0 or 1.")
        counts = np.bincount(labels, minlength=2)
        if counts.min() < 2:
            raise ValueError(
                "Training needs at least two accepted and two not-accepted examples "
                f"(got {counts[1]} accepted, {counts[0]} not accepted)."
            )
        self.classes_ = np.array([0, 1])
        self.vectorizer_ = self._vectorizer(len(documents))
        features = self.vectorizer_.fit_transform(documents).tocsr()
        # Sorted once here rather than by every row slice below.
        features.sort_indices()
        self.C_, held_out, held_out_decision = self._choose_c(features, labels)
        self.slope_, self.offset_ = fit_monotone_sigmoid(held_out_decision, labels[held_out])
        self.linear_ = self._linear(self.C_).fit(features, labels)
        self.feature_names_ = self.vectorizer_.get_feature_names_out()
        self.n_features_ = features.shape[1]
        self.n_train_ = len(documents)
        self.influential_terms_ = self._influential_terms(features)
        return self

    def _linear(self, c: float) -> LogisticRegression:
        # liblinear's trust-region Newton solver is the fastest of scikit-learn's solvers on
        # these sparse, wide problems (measured: about 0.2 s for 10,000 × 44,000 features,
        # 3–8 × faster than lbfgs).
        return LogisticRegression(
            C=c, solver="liblinear", max_iter=1000, random_state=self.random_state
        )

    def _choose_c(
        self, features: scipy.sparse.csr_matrix, labels: NDArray[np.int_]
    ) -> tuple[float, NDArray[np.int_], NDArray[np.float64]]:
        """The ``C`` with the best held-out ROC AUC, with the held-out rows and their decisions.

        Small training sets use every row once in ``cv_folds``-fold cross-validation. From
        ``holdout_above`` documents on, one stratified fold (a third of the rows) is held out
        instead: with thousands of rows a single validation third ranks four values of C
        reliably and determines the sigmoid's two parameters, at a third of the cost. The
        vocabulary is fitted once on all training text (no labels involved); only the classifier
        is refitted. Ties go to the smaller ``C`` (stronger regularisation).
        """
        n_splits = min(self.cv_folds, int(np.bincount(labels).min()))
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        splits = list(folds.split(features, labels))
        if len(labels) >= self.holdout_above:
            splits = splits[:1]
        cs = sorted(self.Cs)
        jobs = [(train, test, c) for train, test in splits for c in cs]

        def fold_decision(train: NDArray[np.int_], test: NDArray[np.int_], c: float) -> Any:
            model = self._linear(c).fit(features[train], labels[train])
            return model.decision_function(features[test])

        # liblinear releases the GIL, so threads share the work without copying the matrix.
        n_jobs = self.n_jobs if len(labels) >= PARALLEL_FROM else None
        decisions = joblib.Parallel(n_jobs=n_jobs, prefer="threads")(
            joblib.delayed(fold_decision)(train, test, c) for train, test, c in jobs
        )
        held_out = np.sort(np.concatenate([test for _, test in splits]))
        oof = np.zeros((len(cs), len(labels)))
        for (_, test, c), decision in zip(jobs, decisions, strict=True):
            oof[cs.index(c), test] = decision
        aucs = [roc_auc_score(labels[held_out], oof[i, held_out]) for i in range(len(cs))]
        best = int(np.argmax(aucs))  # first maximum = smallest C among ties
        return float(cs[best]), held_out, oof[best, held_out]

    def _influential_terms(
        self, features: scipy.sparse.csr_matrix, top: int = 20
    ) -> dict[str, list[dict[str, Any]]]:
        # Influence over the training set: coefficient × mean tf-idf value, i.e. the average
        # contribution of the term to a training document's decision value.
        mean_value = np.asarray(features.mean(axis=0)).ravel()
        influence = self.linear_.coef_.ravel() * mean_value
        raising, lowering = _top_contributions(self.feature_names_, influence, top)
        return {
            "raising": [asdict(t) for t in raising],
            "lowering": [asdict(t) for t in lowering],
        }

    def decision_function(self, X: Iterable[str | None]) -> NDArray[np.float64]:
        features = self.vectorizer_.transform(_as_documents(X))
        return np.asarray(self.linear_.decision_function(features), dtype=float)

    def predict_proba(self, X: Iterable[str | None]) -> NDArray[np.float64]:
        positive = expit(self.slope_ * self.decision_function(X) + self.offset_)
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X: Iterable[str | None]) -> NDArray[np.int_]:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def explain(self, document: str | None, *, top: int = TOP_TERMS) -> Explanation:
        """Score of one document and the terms that raise and lower it most."""
        features = self.vectorizer_.transform(_as_documents([document])).tocsr()
        coef = self.linear_.coef_.ravel()
        columns = features.indices
        contributions = coef[columns] * features.data
        intercept = float(self.linear_.intercept_[0])
        decision = intercept + float(contributions.sum())
        raising, lowering = _top_contributions(self.feature_names_[columns], contributions, top)
        return Explanation(
            score=float(expit(self.slope_ * decision + self.offset_)),
            raising=raising,
            lowering=lowering,
            decision=decision,
            intercept=intercept,
        )

    def term_presence(self, X: Iterable[str | None], terms: Sequence[str]) -> NDArray[np.bool_]:
        """Documents × terms: whether each document contains each term (as displayed in
        explanations). A term the model does not know is absent everywhere."""
        documents = _as_documents(X)
        index = {_display_term(str(name)): i for i, name in enumerate(self.feature_names_)}
        known = [(j, index[t]) for j, t in enumerate(terms) if t in index]
        presence = np.zeros((len(documents), len(terms)), dtype=bool)
        if known and documents:
            features = self.vectorizer_.transform(documents).tocsc()
            columns = features[:, [i for _, i in known]]
            dense = np.asarray((columns > 0).todense())
            for position, (j, _) in enumerate(known):
                presence[:, j] = dense[:, position]
        return presence

    def summary(self) -> dict[str, Any]:
        """Parameters and fitted facts worth storing next to the artefact."""
        return {
            **self.get_params(),
            "C": self.C_,
            "calibration_slope": self.slope_,
            "calibration_offset": self.offset_,
            "n_features": int(self.n_features_),
            "n_train": int(self.n_train_),
        }


def build_relevance_classifier(random_state: int = 0, n_jobs: int = 2) -> RelevanceClassifier:
    """The project's model, as chosen in docs/relevance.md (word n-grams only: measured better
    and ten times faster than adding character n-grams). Two threads: the machine has 2 cores."""
    return RelevanceClassifier(random_state=random_state, n_jobs=n_jobs)


def topical_relevance(
    document: str | None, references: Sequence[str], *, top: int = TOP_TERMS
) -> Explanation:
    """Cold-start score: max TF-IDF cosine similarity of ``document`` to any reference text.

    ``references`` are the conference's topics ("name. description") and its call text. The
    vectorizer is fitted on the references and the document only, so the score of a proposal
    depends on nothing but its own text and the conference's. Contributions: for the best
    matching reference, each shared term's share of the cosine (they sum to the score);
    ``lowering`` lists the document's heaviest terms that no reference mentions — they add to
    the document's norm and so dilute the similarity.
    """
    text = "" if document is None else str(document)
    references = [r for r in references if r and r.strip()]
    if not references or not text.strip():
        return Explanation(score=0.0)
    vectorizer = TfidfVectorizer(
        strip_accents="unicode", stop_words="english", sublinear_tf=True, ngram_range=(1, 1)
    )
    try:
        matrix = vectorizer.fit_transform([text, *references]).tocsr()
    except ValueError:  # only stop words everywhere: nothing to compare
        return Explanation(score=0.0)
    names = vectorizer.get_feature_names_out()
    proposal = matrix[0]
    reference_rows = matrix[1:]
    similarities = np.asarray((reference_rows @ proposal.T).todense()).ravel()
    best = int(np.argmax(similarities))
    shared = proposal.multiply(reference_rows[best]).tocsr()
    raising, _ = _top_contributions(names[shared.indices], shared.data, top, union_names=False)
    mentioned = np.asarray(reference_rows.sum(axis=0)).ravel() > 0
    unmatched = [
        (i, v) for i, v in zip(proposal.indices, proposal.data, strict=True) if not mentioned[i]
    ]
    unmatched.sort(key=lambda item: -item[1])
    lowering = [TermContribution(str(names[i]), -float(v)) for i, v in unmatched[:top]]
    return Explanation(
        score=float(np.clip(similarities[best], 0.0, 1.0)), raising=raising, lowering=lowering
    )
