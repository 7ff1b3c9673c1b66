"""Writing reviews: drafts, explicit submission, revisions, bad input, optimistic locking."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from expo.proposals import services as proposal_services
from expo.proposals.models import Proposal
from reviews import services
from reviews.models import AuditEvent, CriterionScore, Review, ReviewRevision
from tests.reviews.factories import criteria_of, review_data, submit_review

pytestmark = pytest.mark.django_db


def test_submitted_review_has_scores_weighted_score_and_a_revision(conference, proposal, chair1):
    review = submit_review(chair1, proposal, [5, 4, 3])
    assert review.version == 1
    assert review.weighted_score == pytest.approx(4.0)
    assert [s.score for s in review.scores.all()] == [5, 4, 3]
    assert ReviewRevision.objects.get(review=review).weighted_score == pytest.approx(4.0)


def test_weighted_score_uses_weights_and_each_criterion_scale(conference, chair1, proposal):
    research, _informative, relevant = criteria_of(conference)
    research.weight = 2
    research.save()
    relevant.scale_max = 10
    relevant.save()
    review = submit_review(chair1, proposal, [5, 3, 10])
    # research 1.0 ×2, informative 0.5, relevant 1.0 → 3.5/4 of the way from 1 to 5.
    assert review.weighted_score == pytest.approx(1 + 4 * 3.5 / 4)


def test_first_submitted_review_moves_proposal_under_review_and_ends_editing(
    conference, proposal, sponsor, chair1
):
    services.review_autosave(
        reviewer=chair1,
        proposal=proposal,
        data=services.ReviewData(rationale="half"),
        expected_draft_version=0,
    )
    proposal.refresh_from_db()
    assert proposal.state == "submitted", "a draft does not start the review"
    submit_review(chair1, proposal)
    proposal.refresh_from_db()
    assert proposal.state == "under_review"
    event = AuditEvent.objects.get(action="proposal.state", proposal=proposal, actor=chair1)
    assert event.before == {"state": "submitted"}
    assert event.actor == chair1
    with pytest.raises(ValidationError, match="under review"):
        proposal_services.proposal_update(
            proposal=proposal,
            by=sponsor,
            title="Changed after review",
            abstract=proposal.abstract,
            outline=proposal.outline,
            format=proposal.format,
            topics=list(proposal.topics.all()),
            speakers=[proposal_services.SpeakerData(name="S", email="s@example.org")],
        )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"score": 6}, "score_", "outside the scale"),
        ({"score": 0}, "score_", "outside the scale"),
        ({"rationale": "   "}, "rationale", "rationale"),
        ({"rationale": "Too short."}, "rationale", "at least"),
        ({"recommendation": ""}, "recommendation", "recommendation"),
        ({"recommendation": "maybe"}, "recommendation", "Choose"),
        ({"confidence": 9}, "confidence", "1 to 5"),
    ],
)
def test_bad_review_is_refused_and_changes_nothing(
    conference, proposal, chair1, change, field, message
):
    score = change.pop("score", 4)
    data = review_data(conference, score, **change)
    with pytest.raises(ValidationError) as raised:
        services.review_submit(reviewer=chair1, proposal=proposal, data=data, expected_version=0)
    assert any(key.startswith(field) for key in raised.value.message_dict)
    assert message.lower() in str(raised.value.message_dict).lower()
    assert not Review.objects.filter(version__gt=0).exists()
    assert not CriterionScore.objects.exists()
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


def test_missing_criterion_score_is_refused(conference, proposal, chair1):
    data = review_data(conference)
    first = next(iter(data.scores))
    incomplete = services.ReviewData(
        scores={k: v for k, v in data.scores.items() if k != first},
        recommendation="accept",
        confidence=3,
        rationale=data.rationale,
    )
    with pytest.raises(ValidationError, match="Score"):
        services.review_submit(
            reviewer=chair1, proposal=proposal, data=incomplete, expected_version=0
        )


def test_score_for_another_conferences_criterion_is_refused(conference, proposal, chair1):
    from tests.factories import ConferenceFactory

    foreign = criteria_of(ConferenceFactory())[0]
    data = review_data(conference)
    forged = services.ReviewData(
        scores={**data.scores, foreign.pk: 5},
        recommendation="accept",
        confidence=3,
        rationale=data.rationale,
    )
    with pytest.raises(ValidationError, match="does not use"):
        services.review_submit(reviewer=chair1, proposal=proposal, data=forged, expected_version=0)
    assert not Review.objects.filter(version__gt=0).exists()


def test_draft_autosave_accepts_incomplete_but_not_out_of_scale(conference, proposal, chair1):
    criterion = criteria_of(conference)[0]
    review = services.review_autosave(
        reviewer=chair1,
        proposal=proposal,
        data=services.ReviewData(scores={criterion.pk: 2}, rationale="Thinking…"),
        expected_draft_version=0,
    )
    assert review.draft["scores"] == {str(criterion.pk): 2}
    assert review.draft_version == 1
    assert review.version == 0
    with pytest.raises(ValidationError, match="outside the scale"):
        services.review_autosave(
            reviewer=chair1,
            proposal=proposal,
            data=services.ReviewData(scores={criterion.pk: 7}),
            expected_draft_version=1,
        )
    review.refresh_from_db()
    assert review.draft["scores"] == {str(criterion.pk): 2}


def test_revision_keeps_the_earlier_version_and_audits_before_and_after(
    conference, proposal, chair1
):
    submit_review(chair1, proposal, 2, rationale="First thoughts: weak evaluation, unclear demo.")
    review = submit_review(
        chair1, proposal, 4, rationale="Revised: the demo convinced me after all."
    )
    assert review.version == 2
    versions = list(ReviewRevision.objects.filter(review=review).order_by("version"))
    assert [v.weighted_score for v in versions] == [2.0, 4.0]
    assert versions[0].rationale.startswith("First thoughts")
    event = AuditEvent.objects.get(action="review.revised")
    assert event.before["weighted_score"] == 2.0
    assert event.after["weighted_score"] == 4.0
    assert event.before["rationale"].startswith("First thoughts")


def test_stale_submission_is_refused_and_carries_the_newer_version(conference, proposal, chair1):
    submit_review(chair1, proposal, 3)  # tab A submits version 1
    with pytest.raises(services.StaleWrite) as raised:  # tab B still thinks there is none
        services.review_submit(
            reviewer=chair1,
            proposal=proposal,
            data=review_data(conference, 5),
            expected_version=0,
        )
    assert raised.value.current.version == 1
    assert Review.objects.get(reviewer=chair1).weighted_score == 3.0


def test_stale_draft_autosave_is_refused(conference, proposal, chair1):
    services.review_autosave(
        reviewer=chair1,
        proposal=proposal,
        data=services.ReviewData(rationale="tab A"),
        expected_draft_version=0,
    )
    with pytest.raises(services.StaleWrite):
        services.review_autosave(
            reviewer=chair1,
            proposal=proposal,
            data=services.ReviewData(rationale="tab B"),
            expected_draft_version=0,
        )
    assert Review.objects.get(reviewer=chair1).draft["rationale"] == "tab A"


def test_submitting_clears_the_draft_and_invalidates_other_tabs_drafts(
    conference, proposal, chair1
):
    services.review_autosave(
        reviewer=chair1,
        proposal=proposal,
        data=services.ReviewData(rationale="draft"),
        expected_draft_version=0,
    )
    review = submit_review(chair1, proposal)
    assert review.draft == {}
    with pytest.raises(services.StaleWrite):
        services.review_autosave(
            reviewer=chair1,
            proposal=proposal,
            data=services.ReviewData(rationale="old tab"),
            expected_draft_version=1,
        )


def test_conflicted_chair_cannot_review(conference, proposal, insider):
    with pytest.raises(PermissionDenied):
        submit_review(insider, proposal)
    assert not Review.objects.exists()


def test_withdrawn_proposal_cannot_be_reviewed(conference, proposal, chair1):
    Proposal.objects.filter(pk=proposal.pk).update(state="withdrawn")
    proposal.refresh_from_db()
    with pytest.raises(ValidationError, match="withdrawn"):
        submit_review(chair1, proposal)
    with pytest.raises(ValidationError, match="withdrawn"):
        services.review_autosave(
            reviewer=chair1, proposal=proposal, data=services.ReviewData(), expected_draft_version=0
        )


def test_draft_proposal_cannot_be_reviewed(conference, chair1):
    from tests.factories import ProposalFactory

    draft = ProposalFactory(conference=conference, state="draft")
    with pytest.raises(ValidationError):
        submit_review(chair1, draft)


def test_non_chair_cannot_review(conference, proposal, other_sponsor, admin):
    with pytest.raises(PermissionDenied):
        submit_review(other_sponsor, proposal)
    with pytest.raises(PermissionDenied):
        submit_review(admin, proposal)
