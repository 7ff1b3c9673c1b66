"""The relevance panel on the review page: what a cochair may see and when (the anchoring rule),
the kind of score, explanations, and that sponsors never see scores anywhere."""

import json

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from rest_framework.test import APIClient

from expo.proposals.models import Proposal, ProposalState
from ranking.models import RankingSettings, RelevanceModel, RelevanceScore, ScoreKind
from ranking.selectors import review_panel
from ranking.services import proposal_score, relevance_model_shadow_start, relevance_model_train
from reviews import services as review_services
from tests.factories import AdminFactory, ChairFactory, ConferenceFactory, MembershipFactory
from tests.ranking.pages_helpers import submitted, world
from tests.reviews.factories import decide, submit_review

pytestmark = pytest.mark.django_db


def proposal_with_score(w):
    proposal = submitted(w.conference, 1)[0]
    proposal_score(proposal_id=proposal.pk)
    return proposal


def fresh(proposal):
    """The proposal as the next request loads it (the review rules cache answers per object)."""
    return Proposal.objects.get(pk=proposal.pk)


def render_panel(proposal, user) -> str:
    return render_to_string(
        "ranking/includes/review_panel.html", {"proposal": proposal, "user": user}
    )


def test_cochair_sees_the_score_only_after_submitting_their_own_review():
    w = world(shadow=False)
    proposal = proposal_with_score(w)
    review_services.review_setup_ensure(conference=w.conference)
    before = review_panel(proposal=proposal, user=w.chair)
    assert before is not None
    assert not before.visible
    assert before.score is None
    assert "once you have submitted your review" in before.hidden_reason
    html = render_panel(proposal, w.chair)
    stored = RelevanceScore.objects.get(proposal=proposal)
    assert f"{stored.score:.2f}" not in html
    assert "data-relevance-score" not in html
    submit_review(w.chair, proposal)
    proposal = fresh(proposal)
    after = review_panel(proposal=proposal, user=w.chair)
    assert after.visible
    assert after.score == stored.score
    assert after.kind == ScoreKind.LEARNED
    assert after.version == w.active.version
    assert "trained on past decisions" in after.kind_label
    html = render_panel(proposal, w.chair)
    assert "data-relevance-score" in html
    assert "Learned — trained on past decisions" in html


def test_the_conference_may_show_scores_before_the_review():
    w = world(shadow=False)
    proposal = proposal_with_score(w)
    RankingSettings.objects.create(conference=w.conference, show_scores_before_own_review=True)
    panel = review_panel(proposal=proposal, user=w.chair)
    assert panel.visible
    assert panel.score is not None


def test_a_decided_proposal_shows_its_score_to_every_cochair():
    w = world(shadow=False)
    proposal = proposal_with_score(w)
    review_services.review_setup_ensure(conference=w.conference)
    submit_review(w.chair, proposal)
    submit_review(ChairFactory(conference=w.conference).user, proposal)
    decide(AdminFactory(), fresh(proposal), "accept")
    late_chair = ChairFactory(conference=w.conference).user
    assert review_panel(proposal=fresh(proposal), user=late_chair).visible


def test_admins_who_do_not_chair_see_it_admins_who_chair_wait_for_their_review():
    w = world(shadow=False)
    proposal = proposal_with_score(w)
    assert review_panel(proposal=proposal, user=w.admin).visible
    chairing_admin = ChairFactory(conference=w.conference, user=AdminFactory()).user
    assert not review_panel(proposal=proposal, user=chairing_admin).visible


def test_sponsors_other_chairs_conflicted_chairs_and_anonymous_get_no_panel():
    from django.contrib.auth.models import AnonymousUser

    w = world(shadow=False)
    proposal = proposal_with_score(w)
    member = MembershipFactory(organisation=proposal.organisation).user
    conflicted = ChairFactory(conference=w.conference).user
    review_services.conflict_declare(user=conflicted, proposal=proposal, reason="Former employer")
    RankingSettings.objects.create(conference=w.conference, show_scores_before_own_review=True)
    proposal = fresh(proposal)
    for user in (member, w.sponsor, w.other_chair, conflicted, AnonymousUser()):
        assert review_panel(proposal=proposal, user=user) is None
        assert render_panel(proposal, user).strip() == ""


def test_topical_score_is_labelled_as_not_a_probability():
    conference = ConferenceFactory()
    chair = ChairFactory(conference=conference).user
    RankingSettings.objects.create(conference=conference, show_scores_before_own_review=True)
    proposal = submitted(conference, 1)[0]
    proposal_score(proposal_id=proposal.pk)
    panel = review_panel(proposal=proposal, user=chair)
    assert panel.kind == ScoreKind.TOPICAL
    assert panel.version is None
    html = render_panel(proposal, chair)
    assert "similarity to the conference" in html
    assert "not a probability" in html


def test_panel_explains_with_the_stored_terms_of_this_proposal():
    w = world(shadow=False)
    proposal = proposal_with_score(w)
    RankingSettings.objects.create(conference=w.conference, show_scores_before_own_review=True)
    stored = RelevanceScore.objects.get(proposal=proposal).explanation
    panel = review_panel(proposal=proposal, user=w.chair)
    assert [t["term"] for t in panel.raising] == [t["term"] for t in stored["raising"][:5]]
    assert [t["term"] for t in panel.lowering] == [t["term"] for t in stored["lowering"][:5]]
    text = proposal.abstract.lower()
    assert all(t["term"] in text for t in panel.raising)


def test_panel_says_when_the_current_text_is_being_rescored():
    w = world(shadow=False)
    proposal = proposal_with_score(w)
    RankingSettings.objects.create(conference=w.conference, show_scores_before_own_review=True)
    proposal.abstract += " A new paragraph about ablation."
    proposal.save()
    panel = review_panel(proposal=proposal, user=w.chair)
    assert panel.pending
    assert "being computed" in render_panel(proposal, w.chair)


def test_panel_shows_the_active_version_never_a_shadow():
    w = world()
    proposal = proposal_with_score(w)
    shadow = RelevanceModel.objects.get(conference=w.conference, status="shadow")
    shadow_score = RelevanceScore.objects.get(proposal=proposal, model=shadow)
    RelevanceScore.objects.filter(pk=shadow_score.pk).update(score=0.98765)
    RankingSettings.objects.create(conference=w.conference, show_scores_before_own_review=True)
    panel = review_panel(proposal=proposal, user=w.chair)
    assert panel.version == w.active.version
    assert panel.score == RelevanceScore.objects.get(proposal=proposal, model=w.active).score
    assert "0.99" not in render_panel(proposal, w.chair)


def test_sponsor_pages_and_api_never_carry_scores_or_explanations(client):
    w = world(shadow=False)
    membership = MembershipFactory(role="owner")
    proposal = submitted(w.conference, 1, organisation=membership.organisation)[0]
    proposal_score(proposal_id=proposal.pk)
    shadow = relevance_model_train(conference=w.conference, seed=1)
    relevance_model_shadow_start(model=shadow, by=w.admin)
    proposal_score(proposal_id=proposal.pk)
    # Distinctive values, so that any leak would be found in the responses.
    RelevanceScore.objects.filter(proposal=proposal, model=w.active).update(
        score=0.87315,
        explanation={
            "score": 0.87315,
            "raising": [{"term": "zyzzyvaterm", "contribution": 0.41913}],
            "lowering": [{"term": "qoppaterm", "contribution": -0.31719}],
        },
    )
    RelevanceScore.objects.filter(proposal=proposal, model=shadow).update(score=0.76543)
    proposal.state = ProposalState.ACCEPTED
    proposal.save(update_fields=["state"])
    RankingSettings.objects.create(conference=w.conference, show_scores_before_own_review=True)
    client.force_login(membership.user)
    pages = [
        reverse("dashboard"),
        reverse("proposal-detail", args=[proposal.pk]),
        reverse("conference-detail", args=[w.conference.slug]),
    ]
    api = APIClient()
    api.force_authenticate(membership.user)
    responses = [client.get(url) for url in pages]
    responses += [
        api.get("/api/v1/proposals/"),
        api.get(f"/api/v1/proposals/{proposal.pk}/"),
    ]
    for response in responses:
        assert response.status_code == 200, response
        body = response.content.decode().lower()
        for leak in (
            "0.873",
            "0.87",
            "0.765",
            "0.419",
            "0.317",
            "zyzzyvaterm",
            "qoppaterm",
            "relevance",
            "data-relevance",
        ):
            assert leak not in body, (leak, response.wsgi_request.path)
    payload = json.loads(responses[-1].content)
    assert not {"score", "relevance", "explanation", "relevance_score"} & set(payload)


def test_review_page_shows_the_panel_only_after_the_chairs_own_review(client):
    w = world(shadow=False)
    proposal = proposal_with_score(w)
    review_services.review_setup_ensure(conference=w.conference)
    client.force_login(w.chair)
    url = reverse("reviews:proposal", args=[w.conference.slug, proposal.pk])
    before = client.get(url).content.decode()
    assert "data-relevance-panel" in before
    assert "data-relevance-score" not in before
    submit_review(w.chair, proposal)
    after = client.get(url).content.decode()
    assert "data-relevance-score" in after
