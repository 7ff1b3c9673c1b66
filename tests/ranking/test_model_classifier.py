"""The relevance classifier (ranking/model.py): training, calibration, explanations, topical score.

The corpora here are generated: accepted documents tend to use one set of words and rejected
ones another, with noise, so the tests know what the model should find.
"""

import io
import pickle

import joblib
import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.metrics import roc_auc_score

from ranking.model import (
    RelevanceClassifier,
    build_relevance_classifier,
    fit_monotone_sigmoid,
    platt_targets,
    proposal_document,
    text_hash,
    topical_relevance,
)

NEUTRAL = [
    "model",
    "data",
    "learning",
    "method",
    "results",
    "training",
    "network",
    "system",
    "approach",
    "evaluation",
    "experiments",
    "dataset",
    "performance",
    "task",
    "algorithm",
    "representation",
    "inference",
]
GOOD = ["benchmark", "reproducible", "ablation", "theorem", "convergence", "baselines"]
BAD = ["synergy", "leverage", "disruptive", "marketing", "revolutionary", "seamless"]


def corpus(n: int, seed: int) -> tuple[list[str], list[int]]:
    rng = np.random.default_rng(seed)
    documents, labels = [], []
    for _ in range(n):
        label = int(rng.random() < 0.4)
        words = list(rng.choice(NEUTRAL, size=25))
        own, other = (GOOD, BAD) if label else (BAD, GOOD)
        words += [w for w in own if rng.random() < 0.5]
        words += [w for w in other if rng.random() < 0.15]
        rng.shuffle(words)
        documents.append(" ".join(words))
        labels.append(label)
    return documents, labels


@pytest.fixture(scope="module")
def fitted() -> RelevanceClassifier:
    documents, labels = corpus(300, seed=1)
    return build_relevance_classifier().fit(documents, labels)


def test_classifier_ranks_unseen_documents_by_their_signal_words(fitted):
    documents, labels = corpus(200, seed=2)
    probability = fitted.predict_proba(documents)[:, 1]
    assert roc_auc_score(labels, probability) > 0.9
    assert probability.min() >= 0
    assert probability.max() <= 1


def test_classifier_probabilities_are_calibrated_to_the_base_rate(fitted):
    documents, labels = corpus(400, seed=3)
    probability = fitted.predict_proba(documents)[:, 1]
    # Mean predicted probability close to the observed acceptance rate (about 0.4).
    assert abs(probability.mean() - np.mean(labels)) < 0.05


def test_classifier_chooses_c_from_the_grid_and_learns_an_increasing_calibration(fitted):
    assert fitted.C_ in fitted.Cs
    assert fitted.slope_ > 0
    summary = fitted.summary()
    assert summary["n_train"] == 300
    assert summary["C"] == fitted.C_


def test_classifier_on_a_large_set_chooses_c_on_one_held_out_third():
    documents, labels = corpus(300, seed=9)
    model = RelevanceClassifier(holdout_above=100).fit(documents, labels)
    held_out = corpus(200, seed=10)
    probability = model.predict_proba(held_out[0])[:, 1]
    assert roc_auc_score(held_out[1], probability) > 0.9
    assert model.slope_ > 0
    assert abs(probability.mean() - np.mean(held_out[1])) < 0.05


def test_classifier_refuses_a_single_class():
    with pytest.raises(ValueError, match="at least two accepted and two not-accepted"):
        RelevanceClassifier().fit(["a text", "another text", "more text"], [1, 1, 1])


def test_classifier_refuses_labels_other_than_zero_and_one():
    with pytest.raises(ValueError, match="0 or 1"):
        RelevanceClassifier().fit(["a", "b", "c", "d"], [0, 1, 2, 1])


def test_classifier_reads_missing_text_as_empty():
    documents, labels = corpus(40, seed=4)
    documents[0] = None  # type: ignore[call-overload]
    model = RelevanceClassifier().fit(documents, labels)
    probability = model.predict_proba([None, "", "benchmark theorem"])[:, 1]
    assert np.isfinite(probability).all()
    # An empty document has only the intercept: the same score as another empty one.
    assert probability[0] == pytest.approx(probability[1])


def test_classifier_survives_a_joblib_round_trip_with_identical_scores(fitted):
    documents, _ = corpus(20, seed=5)
    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    np.testing.assert_array_equal(loaded.predict_proba(documents), fitted.predict_proba(documents))


def test_explanation_contributions_add_up_to_the_scored_decision_value(fitted):
    document = corpus(1, seed=6)[0][0]
    explanation = fitted.explain(document, top=10_000)
    total = explanation.intercept + sum(
        t.contribution for t in explanation.raising + explanation.lowering
    )
    assert total == pytest.approx(explanation.decision)
    assert explanation.decision == pytest.approx(fitted.decision_function([document])[0])
    assert explanation.score == pytest.approx(fitted.predict_proba([document])[0, 1])


def test_explanation_names_the_signal_words_in_the_right_direction(fitted):
    explanation = fitted.explain("benchmark ablation synergy marketing model data")
    raising = {t.term for t in explanation.raising}
    lowering = {t.term for t in explanation.lowering}
    assert {"benchmark", "ablation"} <= raising
    assert {"synergy", "marketing"} <= lowering
    assert all(t.contribution > 0 for t in explanation.raising)
    assert all(t.contribution < 0 for t in explanation.lowering)


def _without(document: str, term: str) -> str:
    return " ".join(w for w in document.split() if w != term)


def test_removing_the_top_raising_term_lowers_the_score(fitted):
    documents, labels = corpus(30, seed=7)
    document = next(d for d, y in zip(documents, labels, strict=True) if y == 1)
    explanation = fitted.explain(document)
    top = explanation.raising[0].term
    assert " " not in top, "expected a single word among the top terms of this corpus"
    assert fitted.explain(_without(document, top)).score < explanation.score


def test_removing_the_top_lowering_term_raises_the_score(fitted):
    documents, labels = corpus(30, seed=8)
    document = next(d for d, y in zip(documents, labels, strict=True) if y == 0)
    explanation = fitted.explain(document)
    top = explanation.lowering[0].term
    assert fitted.explain(_without(document, top)).score > explanation.score


def test_adding_a_globally_raising_term_raises_the_score(fitted):
    best = fitted.influential_terms_["raising"][0]["term"]
    worst = fitted.influential_terms_["lowering"][0]["term"]
    assert best in GOOD
    assert worst in BAD
    document = "model data learning method results"
    base = fitted.explain(document).score
    assert fitted.explain(f"{document} {best}").score > base
    assert fitted.explain(f"{document} {worst}").score < base


def test_monotone_sigmoid_matches_statsmodels_binomial_glm_on_platt_targets():
    rng = np.random.default_rng(0)
    decision = rng.normal(size=500)
    y = (rng.random(500) < 1 / (1 + np.exp(-(1.7 * decision - 0.4)))).astype(int)
    slope, offset = fit_monotone_sigmoid(decision, y)
    glm = sm.GLM(platt_targets(y), sm.add_constant(decision), family=sm.families.Binomial()).fit(
        tol=1e-12
    )
    assert offset == pytest.approx(glm.params[0], abs=1e-5)
    assert slope == pytest.approx(glm.params[1], abs=1e-5)
    assert slope == pytest.approx(1.7, abs=0.35)  # and it finds the generating slope


def test_platt_targets_follow_platt_1999():
    np.testing.assert_allclose(platt_targets([1, 1, 0]), [3 / 4, 3 / 4, 1 / 3])


def test_monotone_sigmoid_stays_finite_when_scores_separate_the_classes():
    decision = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
    slope, offset = fit_monotone_sigmoid(decision, [0, 0, 0, 1, 1, 1])
    assert 0 < slope < 20
    assert abs(offset) < 1e-6


def test_monotone_sigmoid_never_reverses_the_order_of_scores():
    rng = np.random.default_rng(1)
    decision = rng.normal(size=300)
    y = (decision < 0).astype(int)  # anti-correlated: the unconstrained slope is negative
    slope, offset = fit_monotone_sigmoid(decision, y)
    assert slope == 0.0
    assert 1 / (1 + np.exp(-offset)) == pytest.approx(platt_targets(y).mean())


def test_proposal_document_skips_missing_fields_and_keeps_order():
    document = proposal_document(
        title="  Title ", abstract=None, outline="Outline", topics=["Vision", ""]
    )
    assert document == "Title\nOutline\nVision"


def test_text_hash_separates_documents_and_is_stable():
    assert text_hash("ab", "c") != text_hash("a", "bc")
    assert text_hash("é") == text_hash("é")
    assert len(text_hash("x")) == 64


def test_topical_score_prefers_proposals_about_the_conference_topics():
    references = [
        "Reinforcement learning. Agents learning policies from rewards.",
        "Computer vision. Image recognition, segmentation and detection.",
        "We invite sponsors to present research at the Expo.",
    ]
    on_topic = topical_relevance("Image segmentation and object detection for robots", references)
    off_topic = topical_relevance("Quarterly sales figures of our accounting product", references)
    assert 0 < on_topic.score <= 1
    assert off_topic.score < on_topic.score
    assert {"segmentation", "detection"} <= {t.term for t in on_topic.raising}
    assert "robots" in {t.term for t in on_topic.lowering}


def test_topical_score_rises_when_a_topic_term_is_added():
    references = ["Reinforcement learning. Agents learning policies from rewards."]
    base = topical_relevance("A warehouse planning system with a live demo", references)
    more = topical_relevance("A warehouse planning system with a live demo of agents", references)
    assert more.score > base.score


def test_topical_score_is_zero_without_text_or_references():
    assert topical_relevance("", ["Vision"]).score == 0.0
    assert topical_relevance("Image recognition", []).score == 0.0
    assert topical_relevance("the and of", ["the of"]).score == 0.0


def test_explanation_is_plain_data():
    explanation = topical_relevance("image", ["image recognition"])
    assert pickle.loads(pickle.dumps(explanation.as_dict())) == explanation.as_dict()
