"""Reports are cached per conference, stage and scope; the Celery task and the pages recompute
them only when their input changed (or on demand)."""

import pytest
from django.urls import reverse

from expo.conferences.models import ConferenceChair
from expo.proposals.models import ProposalState
from fairness.models import FairnessReport
from fairness.services import schedule_refresh
from fairness.tasks import refresh_reports
from ranking.models import RelevanceModel, RelevanceScore

pytestmark = pytest.mark.django_db


def test_refresh_computes_each_stage_and_scope_once(conference, decided, chair, insider_chair):
    # Two scopes: everything (admins, the unconflicted chair) and the insider chair's.
    assert refresh_reports(conference.pk) == 6
    assert FairnessReport.objects.filter(conference=conference).count() == 6
    stamps = set(FairnessReport.objects.values_list("pk", "computed_at"))
    assert refresh_reports(conference.pk) == 0, "nothing changed: nothing recomputed"
    assert set(FairnessReport.objects.values_list("pk", "computed_at")) == stamps
    assert refresh_reports(conference.pk, force=True) == 6
    assert FairnessReport.objects.count() == 6


def test_refresh_recomputes_after_a_decision_changes(conference, decided, chair):
    refresh_reports(conference.pk)
    before = FairnessReport.objects.get(stage="accepted").report["overall"]["positives"]
    rejected = decided["europe"][-1]
    rejected.state = ProposalState.ACCEPTED
    rejected.save()
    assert refresh_reports(conference.pk) == 3
    assert FairnessReport.objects.get(stage="accepted").report["overall"]["positives"] == before + 1


def test_scope_of_a_chair_who_left_is_deleted(conference, decided, insider_chair):
    refresh_reports(conference.pk)
    assert FairnessReport.objects.count() == 6
    ConferenceChair.objects.filter(user=insider_chair).delete()
    refresh_reports(conference.pk)
    assert FairnessReport.objects.count() == 3
    assert not FairnessReport.objects.exclude(parameters__hidden_proposals=0).exists()


def test_refresh_of_a_missing_conference_does_nothing(db):
    assert refresh_reports(999_999) == 0


def test_scheduled_refresh_runs_once_the_transaction_commits(
    conference, decided, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        schedule_refresh(conference_id=conference.pk)
    assert len(callbacks) == 1
    assert not FairnessReport.objects.exists()
    callbacks[0]()
    assert FairnessReport.objects.filter(conference=conference).count() == 3


def test_page_recomputes_lazily_when_its_input_changed(client, conference, decided, admin):
    client.force_login(admin)
    url = reverse("fairness:stage", args=[conference.slug, "accepted"])
    first = client.get(url).context["report"]
    assert client.get(url).context["report"].computed_at == first.computed_at, "cached"
    assert first.report["overall"]["positives"] == 18
    proposal = decided["asia"][-1]
    proposal.state = ProposalState.ACCEPTED
    proposal.save()
    again = client.get(url).context["report"]
    assert again.pk == first.pk
    assert again.computed_at > first.computed_at
    assert again.report["overall"]["positives"] == 19


def test_model_stage_uses_the_active_models_scores_and_draws_calibration(
    client, conference, decided, admin
):
    model = RelevanceModel.objects.create(
        conference=conference,
        version=3,
        status=RelevanceModel.Status.ACTIVE,
        training_fingerprint="f" * 64,
        n_train=100,
        n_positive=40,
        artefact_path="x.joblib",
        artefact_sha256="0" * 64,
    )
    proposals = [p for group in decided.values() for p in group]
    for index, proposal in enumerate(proposals):
        accepted = proposal.state == ProposalState.ACCEPTED
        RelevanceScore.objects.create(
            proposal=proposal, model=None, kind="topical", text_hash="t", score=0.05
        )
        RelevanceScore.objects.create(
            proposal=proposal,
            model=model,
            kind="learned",
            text_hash="l",
            score=(0.6 if accepted else 0.3) + 0.01 * (index % 5),
        )
    client.force_login(admin)
    page = client.get(reverse("fairness:stage", args=[conference.slug, "model"]))
    raw = page.context["view"].raw
    assert raw["score"]["kind"] == "learned"
    assert "learned model v3" in raw["score"]["label"]
    assert raw["overall"]["auc"] == pytest.approx(1.0), "the learned scores, not the topical 0.05"
    assert raw["overall"]["brier"] is not None
    html = page.content.decode()
    assert "/chart/calibration/region.svg" in html
    chart = client.get(
        reverse("fairness:chart", args=[conference.slug, "model", "calibration", "region"])
    )
    assert chart.status_code == 200
    assert b"<path" in chart.content
    csv_text = b"".join(
        client.get(
            reverse("fairness:export-csv", args=[conference.slug, "model"])
        ).streaming_content
    ).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("group,value,n,positives,mean_score")


def test_audited_decision_refreshes_the_reports_after_commit(
    conference, decided, django_capture_on_commit_callbacks
):
    from reviews.audit import audit_record
    from reviews.models import AuditAction

    proposal = decided["europe"][0]
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(
            action=AuditAction.DECISION_MADE,
            actor=None,
            summary="Accept",
            object_type="decision",
            proposal=proposal,
        )
    assert FairnessReport.objects.filter(conference=conference).count() == 3


def test_a_burst_of_audited_changes_queues_one_refresh(
    conference, decided, django_capture_on_commit_callbacks
):
    from reviews.audit import audit_record
    from reviews.models import AuditAction

    with django_capture_on_commit_callbacks(execute=True):
        for proposal in decided["europe"][:5]:
            audit_record(
                action=AuditAction.DECISION_MADE,
                actor=None,
                summary="Accept",
                object_type="decision",
                proposal=proposal,
            )
    FairnessReport.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        audit_record(
            action=AuditAction.DECISION_CHANGED,
            actor=None,
            summary="Reject",
            object_type="decision",
            proposal=decided["europe"][0],
        )
    # Within the debounce window no second refresh is queued; the page recomputes lazily.
    assert not FairnessReport.objects.exists()


def test_unrelated_audited_changes_do_not_refresh(
    conference, decided, django_capture_on_commit_callbacks
):
    from reviews.audit import audit_record
    from reviews.models import AuditAction

    with django_capture_on_commit_callbacks(execute=True):
        audit_record(
            action=AuditAction.TEMPLATE_CHANGED,
            actor=None,
            summary="Template",
            object_type="template",
            conference=conference,
        )
    assert not FairnessReport.objects.exists()
