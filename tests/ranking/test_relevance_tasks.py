"""Celery tasks of the relevance model: idempotent scoring, cold start, retraining, scheduling."""

import pytest

from expo import celery_app
from expo.proposals.models import ProposalState
from ranking.models import RelevanceModel, RelevanceScore, ScoreKind
from ranking.services import (
    relevance_model_dir,
    relevance_model_promote,
    relevance_model_train,
    schedule_scoring,
)
from ranking.tasks import retrain, score_all, score_proposal
from tests.factories import ConferenceFactory, ProposalFactory
from tests.ranking.relevance_helpers import decided_proposals, past_conference

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager_tasks(monkeypatch):
    # Run tasks in-process even where a broker is configured (CI).
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    monkeypatch.setattr(celery_app.conf, "task_eager_propagates", True)


@pytest.fixture
def conference():
    return ConferenceFactory(topic_names=["Reinforcement learning", "Computer vision"])


@pytest.fixture
def trained(conference):
    decided_proposals(past_conference(), n=40)
    return relevance_model_promote(model=relevance_model_train(conference=conference))


def submitted(conference, **kwargs):
    return ProposalFactory(conference=conference, state=ProposalState.SUBMITTED, **kwargs)


def test_tasks_acknowledge_late_so_a_lost_worker_does_not_lose_them():
    assert score_proposal.acks_late
    assert score_all.acks_late
    assert retrain.acks_late


def test_score_proposal_twice_stores_one_topical_score(conference):
    proposal = submitted(conference, abstract="Image recognition for robot vision.")
    first = score_proposal.delay(proposal.pk).get()
    second = score_proposal.delay(proposal.pk).get()
    assert first == second
    score = RelevanceScore.objects.get(proposal=proposal)
    assert score.kind == ScoreKind.TOPICAL
    assert score.model is None
    assert score.score == pytest.approx(first)


def test_score_proposal_twice_stores_one_learned_score(trained, conference):
    proposal = submitted(conference, abstract="A benchmark with an ablation and a theorem.")
    score_proposal.delay(proposal.pk)
    score_proposal.delay(proposal.pk)
    score = RelevanceScore.objects.get(proposal=proposal)
    assert score.kind == ScoreKind.LEARNED
    assert score.model == trained


def test_cold_start_score_is_topical_and_explained_with_the_matching_terms(conference):
    on_topic = submitted(conference, title="Vision", abstract="Computer vision for robots.")
    off_topic = submitted(conference, title="Sales", abstract="Quarterly revenue of our product.")
    score_all.delay(conference.pk)
    on, off = (RelevanceScore.objects.get(proposal=p) for p in (on_topic, off_topic))
    assert on.score > off.score
    assert "vision" in {t["term"] for t in on.explanation["raising"]}


def test_learned_score_explanation_lists_terms_that_raise_and_lower_it(trained, conference):
    proposal = submitted(conference, abstract="benchmark ablation synergy marketing")
    score_proposal.delay(proposal.pk)
    explanation = RelevanceScore.objects.get(proposal=proposal).explanation
    assert {"benchmark", "ablation"} & {t["term"] for t in explanation["raising"]}
    assert {"synergy", "marketing"} & {t["term"] for t in explanation["lowering"]}


def test_changed_text_gets_a_new_score_and_keeps_the_old_one(trained, conference):
    proposal = submitted(conference, abstract="benchmark reproducible theorem")
    score_proposal.delay(proposal.pk)
    proposal.abstract = "synergy disruptive marketing"
    proposal.save()
    score_proposal.delay(proposal.pk)
    scores = list(RelevanceScore.objects.filter(proposal=proposal).order_by("created_at", "pk"))
    assert len(scores) == 2
    assert scores[1].score < scores[0].score


def test_tampered_artefact_stores_no_score(trained, conference):
    proposal = submitted(conference)
    path = relevance_model_dir() / trained.artefact_path
    path.write_bytes(path.read_bytes()[:-1])
    assert score_proposal.delay(proposal.pk).get() is None
    assert not RelevanceScore.objects.exists()


def test_score_proposal_of_a_deleted_proposal_does_nothing(conference):
    proposal = submitted(conference)
    proposal_id = proposal.pk
    proposal.delete()
    assert score_proposal.delay(proposal_id).get() is None


def test_score_all_scores_submitted_and_decided_but_not_drafts_or_withdrawn(conference):
    scored = [
        submitted(conference),
        ProposalFactory(conference=conference, state=ProposalState.UNDER_REVIEW),
        ProposalFactory(conference=conference, state=ProposalState.REJECTED),
    ]
    ProposalFactory(conference=conference, state=ProposalState.DRAFT)
    ProposalFactory(conference=conference, state=ProposalState.WITHDRAWN)
    assert score_all.delay(conference.pk).get() == 3
    assert score_all.delay(conference.pk).get() == 3
    assert RelevanceScore.objects.count() == 3
    assert set(RelevanceScore.objects.values_list("proposal", flat=True)) == {p.pk for p in scored}


def test_retrain_activates_the_first_version_and_rescores_the_conference(
    conference, django_capture_on_commit_callbacks
):
    decided_proposals(past_conference(), n=40)
    proposal = submitted(conference)
    score_proposal.delay(proposal.pk)  # topical before any model exists
    with django_capture_on_commit_callbacks(execute=True):
        model_id = retrain.delay(conference.pk).get()
    model = RelevanceModel.objects.get(pk=model_id)
    assert model.status == RelevanceModel.Status.ACTIVE
    kinds = set(RelevanceScore.objects.filter(proposal=proposal).values_list("kind", flat=True))
    assert kinds == {ScoreKind.TOPICAL, ScoreKind.LEARNED}


def test_retrain_twice_on_unchanged_decisions_keeps_one_version(conference):
    decided_proposals(past_conference(), n=40)
    first = retrain.delay(conference.pk).get()
    second = retrain.delay(conference.pk).get()
    assert first == second
    assert RelevanceModel.objects.count() == 1


def test_retrain_without_past_decisions_registers_nothing(conference):
    assert retrain.delay(conference.pk).get() is None
    assert not RelevanceModel.objects.exists()


def test_schedule_scoring_scores_only_after_the_transaction_commits(
    conference, django_capture_on_commit_callbacks
):
    proposal = submitted(conference)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule_scoring(proposal.pk)
    assert not RelevanceScore.objects.exists()  # nothing before commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert RelevanceScore.objects.filter(proposal=proposal).count() == 1
