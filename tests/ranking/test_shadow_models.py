"""Shadow versions: scored in the same path as the active version, idempotently, never shown to
reviewers; compared with the active version on the same decided proposals; and promoted on
that online evidence when there is enough of it."""

import datetime as dt
import logging

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from expo import celery_app
from expo.proposals import services as proposal_services
from expo.proposals.models import ProposalState
from ranking.comparison import paired_comparison
from ranking.models import ModelEventAction, RelevanceModel, RelevanceModelEvent, RelevanceScore
from ranking.selectors import (
    paired_online_scores,
    relevance_score_for_proposal,
    shadow_comparison,
)
from ranking.services import (
    PromotionRefused,
    promotion_evidence,
    proposal_score,
    relevance_model_dir,
    relevance_model_promote,
    relevance_model_shadow_start,
    relevance_model_shadow_stop,
    relevance_model_train,
)
from ranking.tasks import score_all, score_proposal
from reviews.models import Decision
from tests.factories import MembershipFactory, ProposalFactory, UserFactory
from tests.ranking.pages_helpers import decide, scored_and_decided, submitted, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager_tasks(monkeypatch):
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    monkeypatch.setattr(celery_app.conf, "task_eager_propagates", True)


def shadow_of(w) -> RelevanceModel:
    return RelevanceModel.objects.get(conference=w.conference, status=RelevanceModel.Status.SHADOW)


def test_submitting_a_proposal_scores_it_with_the_active_version_and_the_shadow(
    django_capture_on_commit_callbacks,
):
    w = world()
    membership = MembershipFactory()
    proposal = ProposalFactory(conference=w.conference, organisation=membership.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_services.proposal_submit(proposal=proposal, by=membership.user)
    models = set(RelevanceScore.objects.filter(proposal=proposal).values_list("model", flat=True))
    assert models == {w.active.pk, shadow_of(w).pk}


def test_shadow_scoring_is_idempotent_and_follows_edits():
    w = world()
    proposal = submitted(w.conference, 1)[0]
    first = score_proposal.delay(proposal.pk).get()
    again = score_proposal.delay(proposal.pk).get()
    score_all.delay(w.conference.pk).get()
    assert first == again  # the task returns the shown (active) score
    shown = RelevanceScore.objects.get(proposal=proposal, model=w.active)
    assert first == shown.score
    assert RelevanceScore.objects.filter(proposal=proposal, model=shadow_of(w)).count() == 1
    proposal.abstract += " benchmark ablation theorem"
    proposal.save()
    score_proposal.delay(proposal.pk).get()
    assert RelevanceScore.objects.filter(proposal=proposal, model=shadow_of(w)).count() == 2
    assert RelevanceScore.objects.filter(proposal=proposal, model=w.active).count() == 2


def test_a_shadow_whose_file_fails_never_blocks_the_shown_score(caplog):
    w = world()
    shadow = shadow_of(w)
    (relevance_model_dir() / shadow.artefact_path).write_bytes(b"tampered")
    proposal = submitted(w.conference, 1)[0]
    with caplog.at_level(logging.ERROR, logger="ranking.services"):
        shown = proposal_score(proposal_id=proposal.pk)
    assert shown is not None
    assert shown.model == w.active
    assert not RelevanceScore.objects.filter(proposal=proposal, model=shadow).exists()
    assert f"Shadow v{shadow.version} did not score proposal {proposal.pk}" in caplog.text


def test_shadow_scores_are_not_shown_to_reviewers_anywhere(client):
    w = world()
    proposal = submitted(w.conference, 1)[0]
    proposal_score(proposal_id=proposal.pk)
    shadow = shadow_of(w)
    RelevanceScore.objects.filter(proposal=proposal, model=shadow).update(score=0.98765)
    shown = relevance_score_for_proposal(proposal=proposal)
    assert shown.model == w.active
    # The chairs' API answers like the review page: the active version's score.
    from reviews import services as review_services
    from tests.reviews.factories import submit_review

    review_services.review_setup_ensure(conference=w.conference)
    submit_review(w.chair, proposal)
    api = APIClient()
    api.force_authenticate(w.chair)
    response = api.get(f"/api/v1/review/{w.conference.slug}/proposals/{proposal.pk}/relevance/")
    assert response.status_code == 200
    assert response.json()["version"] == w.active.version
    assert response.json()["score"] == pytest.approx(shown.score)
    assert b"0.98765" not in response.content
    # The review dashboard and the proposal's review page carry no shadow score either.
    client.force_login(w.chair)
    for url in (
        reverse("reviews:dashboard", args=[w.conference.slug]),
        reverse("reviews:proposal", args=[w.conference.slug, proposal.pk]),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert b"0.98765" not in page.content
        assert b"0.988" not in page.content


def test_only_admins_start_or_stop_a_shadow_and_an_active_version_cannot_be_one():
    w = world(shadow=False)
    candidate = relevance_model_train(conference=w.conference, seed=1)
    with pytest.raises(PermissionDenied):
        relevance_model_shadow_start(model=candidate, by=w.chair)
    with pytest.raises(ValidationError, match="already shown"):
        relevance_model_shadow_start(model=w.active, by=w.admin)
    relevance_model_shadow_start(model=candidate, by=w.admin)
    with pytest.raises(PermissionDenied):
        relevance_model_shadow_stop(model=candidate, by=UserFactory())
    relevance_model_shadow_stop(model=candidate, by=w.admin)
    candidate.refresh_from_db()
    assert candidate.status == RelevanceModel.Status.CANDIDATE
    actions = list(
        RelevanceModelEvent.objects.filter(model=candidate)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        ModelEventAction.TRAINED,
        ModelEventAction.SHADOW_STARTED,
        ModelEventAction.SHADOW_STOPPED,
    ]


def test_starting_a_shadow_scores_the_current_proposals_after_commit(
    django_capture_on_commit_callbacks,
):
    w = world(shadow=False)
    proposals = submitted(w.conference, 3)
    candidate = relevance_model_train(conference=w.conference, seed=1)
    with django_capture_on_commit_callbacks(execute=True):
        relevance_model_shadow_start(model=candidate, by=w.admin)
    assert RelevanceScore.objects.filter(model=candidate).count() == len(proposals)


def test_paired_scores_use_each_versions_latest_score_before_the_decision():
    w = world()
    shadow = shadow_of(w)
    proposals = submitted(w.conference, 5)
    for proposal in proposals:
        proposal_score(proposal_id=proposal.pk)
    now = timezone.now()
    decide(proposals[0], ProposalState.ACCEPTED, at=now + dt.timedelta(hours=1))
    decide(proposals[1], ProposalState.REJECTED, at=now + dt.timedelta(hours=1))
    # Scored by the shadow only after its decision: not comparable.
    RelevanceScore.objects.filter(proposal=proposals[2], model=shadow).update(
        created_at=now + dt.timedelta(hours=2)
    )
    decide(proposals[2], ProposalState.ACCEPTED, at=now + dt.timedelta(hours=1))
    # Edited after the active version scored it; the shadow scored the new text only.
    RelevanceScore.objects.filter(proposal=proposals[3], model=shadow).update(text_hash="0" * 64)
    decide(proposals[3], ProposalState.REJECTED, at=now + dt.timedelta(hours=1))
    # Decided, but without a recorded decision time (an import).
    proposals[4].state = ProposalState.REJECTED
    proposals[4].save(update_fields=["state"])
    paired = paired_online_scores(baseline=w.active, candidate=shadow)
    assert paired.proposal_ids == [proposals[0].pk, proposals[1].pk]
    assert paired.labels == [1, 0]
    assert paired.baseline_scores == [
        RelevanceScore.objects.get(proposal=p, model=w.active).score for p in proposals[:2]
    ]
    assert paired.candidate_scores == [
        RelevanceScore.objects.get(proposal=p, model=shadow).score for p in proposals[:2]
    ]
    assert paired.n_decided == 5
    assert paired.n_unpaired == 2
    assert paired.n_without_decision_time == 1
    assert paired.slices["sponsor tier"] == ["gold", "gold"]


def test_comparison_page_data_equals_the_reference_computation_on_the_same_scores():
    w = world()
    scored_and_decided(w.conference, 24)
    shadow = shadow_of(w)
    result = shadow_comparison(candidate=shadow)
    paired = result.paired
    assert paired.n == 24
    reference = paired_comparison(
        paired.labels, paired.baseline_scores, paired.candidate_scores, n_resamples=2000
    )
    assert result.comparison == reference
    assert result.evidence.basis == "offline"  # 24 < 30 decided proposals scored by both


def set_shadow_scores(shadow: RelevanceModel, proposals, labels, *, good: bool) -> None:
    rng = np.random.default_rng(0)
    for proposal, label in zip(proposals, labels, strict=True):
        value = 0.5 + (0.47 if label == good else -0.47) + rng.normal(scale=0.01)
        RelevanceScore.objects.filter(proposal=proposal, model=shadow).update(
            score=float(np.clip(value, 0.01, 0.99))
        )


def decided_labels(proposals) -> list[int]:
    return [int(p.state == ProposalState.ACCEPTED) for p in proposals]


def test_promotion_uses_online_evidence_when_there_is_enough_and_refuses_a_worse_shadow():
    w = world()
    shadow = shadow_of(w)
    proposals = scored_and_decided(w.conference, 32)
    # Offline the shadow looks excellent; online it ranks the decisions backwards.
    shadow.metrics = {**shadow.metrics, "auc": 0.99, "brier": 0.01}
    shadow.save(update_fields=["metrics"])
    set_shadow_scores(shadow, proposals, decided_labels(proposals), good=False)
    evidence = promotion_evidence(shadow, w.active)
    assert evidence.basis == "online"
    assert not evidence.allowed
    assert "Online, on 32 decided proposals (16 accepted)" in evidence.explanation
    with pytest.raises(PromotionRefused, match="worse"):
        relevance_model_promote(model=shadow, by=w.admin)
    shadow.refresh_from_db()
    assert shadow.status == RelevanceModel.Status.SHADOW


def test_promotion_uses_online_evidence_and_accepts_a_shadow_that_is_not_worse():
    w = world()
    shadow = shadow_of(w)
    proposals = scored_and_decided(w.conference, 32)
    # Offline the shadow looks worse; online it ranks the decisions well.
    shadow.metrics = {**shadow.metrics, "auc": 0.01, "brier": 0.9}
    shadow.save(update_fields=["metrics"])
    set_shadow_scores(shadow, proposals, decided_labels(proposals), good=True)
    relevance_model_promote(model=shadow, by=w.admin)
    shadow.refresh_from_db()
    assert shadow.status == RelevanceModel.Status.ACTIVE
    assert shadow.promotion_reason.startswith("Not worse than the active version. Online")
    event = RelevanceModelEvent.objects.get(model=shadow, action=ModelEventAction.PROMOTED)
    assert event.details["basis"] == "online"


def test_without_enough_online_evidence_promotion_falls_back_to_offline_metrics():
    w = world()
    shadow = shadow_of(w)
    proposals = scored_and_decided(w.conference, 20)
    set_shadow_scores(shadow, proposals, decided_labels(proposals), good=False)
    shadow.metrics = {**shadow.metrics, "auc": 0.99, "brier": 0.01}
    shadow.save(update_fields=["metrics"])
    evidence = promotion_evidence(shadow, w.active)
    assert evidence.basis == "offline"
    assert evidence.allowed
    assert evidence.explanation.startswith("Not worse than the active version. Offline")


def test_comparison_without_decisions_says_there_is_nothing_yet():
    w = world()
    submitted(w.conference, 3)
    result = shadow_comparison(candidate=shadow_of(w))
    assert result.comparison is None
    assert result.paired.n == 0
    assert result.gaps == []
    assert not Decision.objects.exists()
