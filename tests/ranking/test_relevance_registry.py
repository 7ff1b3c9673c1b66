"""The relevance model registry: training and registering, the promotion rule, admin override,
rollback and the artefact integrity check."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from expo.proposals.models import ProposalState
from ranking.models import RelevanceModel
from ranking.services import (
    ArtefactIntegrityError,
    PromotionRefused,
    TrainingDataError,
    artefact_load,
    relevance_model_dir,
    relevance_model_promote,
    relevance_model_rollback,
    relevance_model_train,
)
from tests.factories import AdminFactory, ConferenceFactory, UserFactory
from tests.ranking.relevance_helpers import GOOD, decided_proposals, past_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference():
    decided_proposals(past_conference(), n=40, seed=0)
    return ConferenceFactory()


def set_metrics(model: RelevanceModel, *, auc: float, brier: float) -> RelevanceModel:
    model.metrics = {**model.metrics, "auc": auc, "brier": brier}
    model.save(update_fields=["metrics"])
    return model


def second_version(conference) -> RelevanceModel:
    """A second version, trained after more past decisions arrived."""
    decided_proposals(past_conference(years_ago=2), n=10, seed=1)
    return relevance_model_train(conference=conference)


def test_training_registers_a_candidate_with_everything_needed_to_reproduce_it(conference):
    model = relevance_model_train(conference=conference)
    assert model.version == 1
    assert model.status == RelevanceModel.Status.CANDIDATE
    assert model.n_train == 40
    assert model.n_positive == 16
    assert len(model.training_fingerprint) == 64
    assert model.params["C"] in model.params["Cs"]
    assert {"python", "scikit-learn", "numpy", "scipy", "joblib"} <= set(model.library_versions)
    path = relevance_model_dir() / model.artefact_path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == model.artefact_sha256
    assert artefact_load(model).predict_proba(["benchmark theorem"]).shape == (1, 2)


def test_training_evaluates_out_of_fold_with_interval_calibration_and_slices(conference):
    metrics = relevance_model_train(conference=conference).metrics
    assert metrics["auc"] > 0.8  # the words predict the decisions in this generated data
    assert metrics["auc_ci_low"] < metrics["auc"] < metrics["auc_ci_high"]
    assert 0 <= metrics["brier"] < 0.25
    assert sum(row["count"] for row in metrics["calibration"]) == 40
    assert set(metrics["slices"]) == {
        "format",
        "sponsor tier",
        "company size",
        "region",
        "first-time sponsor",
    }
    assert set(metrics["slices"]["region"]) == {"europe", "asia"}
    assert len(metrics["reference_scores"]) == 40


def test_training_records_the_most_influential_terms(conference):
    model = relevance_model_train(conference=conference)
    raising = [t["term"] for t in model.top_terms["raising"][:6]]
    assert set(raising) & set(GOOD)
    assert all(t["contribution"] < 0 for t in model.top_terms["lowering"])


def test_training_twice_on_the_same_decisions_gives_one_version(conference):
    first = relevance_model_train(conference=conference)
    again = relevance_model_train(conference=conference)
    assert again.pk == first.pk
    assert RelevanceModel.objects.count() == 1


def test_training_on_changed_decisions_gives_a_new_version(conference):
    first = relevance_model_train(conference=conference)
    past = conference.__class__.objects.exclude(pk=conference.pk).get()
    changed = past.proposals.filter(state=ProposalState.REJECTED).first()
    changed.state = ProposalState.ACCEPTED
    changed.save()
    second = relevance_model_train(conference=conference)
    assert second.version == 2
    assert second.training_fingerprint != first.training_fingerprint


def test_training_uses_only_earlier_conferences_and_refuses_too_few_decisions():
    later = past_conference(years_ago=0)
    decided_proposals(later, n=40)  # decisions of the same or a later edition do not count
    conference = ConferenceFactory(starts_on=later.starts_on)
    with pytest.raises(TrainingDataError, match="at least 5 accepted"):
        relevance_model_train(conference=conference)
    assert not RelevanceModel.objects.exists()


def test_training_on_texts_without_words_is_a_clear_error():
    past = past_conference()
    for proposal in decided_proposals(past, n=12):
        proposal.title, proposal.abstract, proposal.outline = "the", "and of", "?"
        proposal.save()
        proposal.topics.clear()
    with pytest.raises(TrainingDataError, match="cannot be learned from"):
        relevance_model_train(conference=ConferenceFactory())
    assert not RelevanceModel.objects.exists()


def test_first_version_becomes_active_by_the_rule(conference):
    model = relevance_model_promote(model=relevance_model_train(conference=conference))
    assert model.status == RelevanceModel.Status.ACTIVE
    assert model.promotion_reason == "No version was active."
    assert not model.promotion_overridden


def test_worse_candidate_is_not_activated(conference):
    active = relevance_model_promote(model=relevance_model_train(conference=conference))
    set_metrics(active, auc=0.80, brier=0.20)
    candidate = set_metrics(second_version(conference), auc=0.79, brier=0.19)
    with pytest.raises(PromotionRefused, match="Worse than the active version"):
        relevance_model_promote(model=candidate)
    active.refresh_from_db()
    candidate.refresh_from_db()
    assert active.status == RelevanceModel.Status.ACTIVE
    assert candidate.status == RelevanceModel.Status.CANDIDATE


def test_candidate_with_worse_brier_is_not_activated(conference):
    active = set_metrics(
        relevance_model_promote(model=relevance_model_train(conference=conference)),
        auc=0.80,
        brier=0.20,
    )
    candidate = set_metrics(second_version(conference), auc=0.85, brier=0.21)
    with pytest.raises(PromotionRefused):
        relevance_model_promote(model=candidate)
    assert RelevanceModel.objects.get(status="active") == active


def test_candidate_not_worse_replaces_the_active_version_which_is_kept(conference):
    first = relevance_model_promote(model=relevance_model_train(conference=conference))
    set_metrics(first, auc=0.80, brier=0.20)
    candidate = set_metrics(second_version(conference), auc=0.80, brier=0.20)
    relevance_model_promote(model=candidate)
    first.refresh_from_db()
    assert candidate.status == RelevanceModel.Status.ACTIVE
    assert candidate.previous_active == first
    assert first.status == RelevanceModel.Status.RETIRED
    assert first.retired_at is not None
    assert "Not worse" in candidate.promotion_reason


def test_override_needs_a_reason_and_an_admin_and_is_recorded(conference):
    active = relevance_model_promote(model=relevance_model_train(conference=conference))
    set_metrics(active, auc=0.80, brier=0.20)
    candidate = set_metrics(second_version(conference), auc=0.70, brier=0.25)
    with pytest.raises(PromotionRefused):
        relevance_model_promote(model=candidate, by=AdminFactory(), override_reason="   ")
    with pytest.raises(PermissionDenied):
        relevance_model_promote(model=candidate, by=UserFactory(), override_reason="Trust me")
    admin = AdminFactory()
    relevance_model_promote(
        model=candidate, by=admin, override_reason="Old model was trained on a bad export."
    )
    candidate.refresh_from_db()
    assert candidate.status == RelevanceModel.Status.ACTIVE
    assert candidate.promotion_overridden
    assert candidate.promoted_by == admin
    assert "Old model was trained on a bad export." in candidate.promotion_reason
    assert "AUC 0.700" in candidate.promotion_reason  # the comparison stays on record


def test_rollback_reactivates_the_replaced_version_and_then_goes_further_back(conference):
    first = relevance_model_promote(model=relevance_model_train(conference=conference))
    set_metrics(first, auc=0.5, brier=0.3)
    second = relevance_model_promote(model=second_version(conference))
    assert relevance_model_rollback(conference=conference) == first
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RelevanceModel.Status.ACTIVE
    assert second.status == RelevanceModel.Status.RETIRED
    assert "Rolled back from v2" in first.promotion_reason
    with pytest.raises(ValidationError, match="nothing to roll back to"):
        relevance_model_rollback(conference=conference)


def test_rollback_without_an_active_version_is_refused(conference):
    with pytest.raises(ValidationError, match="No relevance model is active"):
        relevance_model_rollback(conference=conference)


def test_tampered_artefact_is_refused_when_loaded(conference):
    model = relevance_model_train(conference=conference)
    artefact_load(model)  # loads once and caches
    path = relevance_model_dir() / model.artefact_path
    payload = bytearray(path.read_bytes())
    payload[-10] ^= 0xFF
    path.write_bytes(bytes(payload))
    with pytest.raises(ArtefactIntegrityError, match="changed after training"):
        artefact_load(model)


def test_tampered_artefact_cannot_be_activated(conference):
    model = relevance_model_train(conference=conference)
    path = relevance_model_dir() / model.artefact_path
    path.write_bytes(path.read_bytes() + b"\0")
    with pytest.raises(ArtefactIntegrityError):
        relevance_model_promote(model=model)
    model.refresh_from_db()
    assert model.status == RelevanceModel.Status.CANDIDATE


def test_missing_artefact_is_a_clear_error(conference):
    model = relevance_model_train(conference=conference)
    (relevance_model_dir() / model.artefact_path).unlink()
    with pytest.raises(ArtefactIntegrityError, match="cannot be read"):
        artefact_load(model)


def test_admin_shows_versions_read_only_and_promotes_by_the_rule(client, conference):
    from django.urls import reverse

    model = relevance_model_train(conference=conference)
    client.force_login(AdminFactory())
    changelist = reverse("admin:ranking_relevancemodel_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert "offline auc (95% ci)" in page.content.decode().lower()
    detail = client.get(reverse("admin:ranking_relevancemodel_change", args=[model.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("admin:ranking_relevancescore_changelist")).status_code == 200
    response = client.post(
        changelist,
        {"action": "promote_by_rule", "_selected_action": [model.pk]},
        follow=True,
    )
    assert response.status_code == 200
    model.refresh_from_db()
    assert model.status == RelevanceModel.Status.ACTIVE
    assert model.promoted_by is not None
