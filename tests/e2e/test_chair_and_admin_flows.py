"""Two cochairs review a proposal and one decides it; an admin solves and publishes the Expo
schedule, which the public then sees. Both in a real browser against the live server."""

import datetime as dt
import json
import re

import pytest

from expo.celery import app as celery_app
from expo.conferences.services import conference_create_default_tracks
from expo.proposals.models import ProposalState
from reviews.models import Decision, Review
from scheduling.models import Room, ScheduleBreak, ScheduleState, ScheduleVersion, TrackWindow
from tests.browser import shot
from tests.factories import (
    PASSWORD,
    AdminFactory,
    ConferenceFactory,
    OrganisationFactory,
    ProposalFactory,
)
from tests.reviews.factories import chair, criteria_of, sponsor_with_proposal

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DECISION_RATIONALE = "Both chairs found a clear research contribution; the live demo decided it."


def log_in(page, live_server, email, next_path="/dashboard/"):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{next_path}")


def review_in_browser(page, live_server, conference, proposal, scores, recommendation, text):
    page.goto(f"{live_server.url}/review/{conference.slug}/")
    page.get_by_role("link", name=proposal.title).first.click()
    page.wait_for_url(re.compile(rf"/review/{conference.slug}/p/{proposal.pk}/"))
    for criterion, score in zip(criteria_of(conference), scores, strict=True):
        group = page.get_by_role("group", name=criterion.name, exact=True)
        group.locator("label").filter(has_text=re.compile(rf"^\s*{score}\b")).first.click()
    page.get_by_role("group", name="Overall recommendation").get_by_text(
        recommendation, exact=True
    ).click()
    page.get_by_role("group", name="Your confidence").locator("label").filter(
        has_text=re.compile(r"^\s*4\b")
    ).first.click()
    page.get_by_label("Rationale for the sponsor").fill(text)
    page.get_by_role("button", name=re.compile(r"^Submit( review)?$")).last.click()
    page.wait_for_load_state()


def test_cochairs_review_and_one_decides_accept(page, live_server):
    conference = ConferenceFactory(slug="chairflow2027")
    first, second = chair(conference), chair(conference)
    sponsor, proposal = sponsor_with_proposal(
        conference, title="Counterfactual evaluation of ranking policies"
    )

    log_in(page, live_server, first.email)
    review_in_browser(
        page, live_server, conference, proposal, [5, 4, 4], "Accept", "Strong, honest evaluation."
    )
    shot(page, "chair-first-review-submitted")
    log_in(page, live_server, second.email)
    review_in_browser(
        page, live_server, conference, proposal, [4, 4, 3], "Weak accept", "Good demo, fine fit."
    )
    reviews = Review.objects.filter(proposal=proposal, version__gte=1)
    assert sorted(r.reviewer_id for r in reviews) == sorted([first.pk, second.pk])
    assert {r.recommendation for r in reviews} == {"accept", "weak_accept"}

    log_in(page, live_server, first.email)
    page.goto(f"{live_server.url}/review/{conference.slug}/p/{proposal.pk}/")
    page.get_by_role("link", name="Decide…").click()
    page.wait_for_url(re.compile(r"/decide/"))
    page.get_by_role("group", name="Decision").get_by_text("Accept", exact=True).click()
    page.get_by_label("Rationale for the sponsor").fill(DECISION_RATIONALE)
    shot(page, "chair-decide-form")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_selector("text=Decision: Accept")

    decision = Decision.objects.get(proposal=proposal)
    assert (decision.outcome, decision.rationale, decision.decided_by) == (
        "accept",
        DECISION_RATIONALE,
        first,
    )
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED

    log_in(page, live_server, sponsor.email)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    feedback = page.locator("section.rv-feedback")
    assert feedback.get_by_role("heading", name="Decision: Accept").is_visible()
    assert DECISION_RATIONALE in feedback.inner_text()
    shot(page, "sponsor-sees-decision")


def _venue(conference):
    """The default three tracks, one room each open 09:00–18:00 on day two, lunch 13:00–14:00."""
    day = conference.starts_on + dt.timedelta(days=1)

    def at(hour):
        return dt.datetime.combine(day, dt.time(hour), conference.tzinfo)

    tracks = conference_create_default_tracks(conference=conference)
    for position, (track, name) in enumerate(
        zip(tracks, ["Hall 1", "Room A", "Room B"], strict=True)
    ):
        room = Room.objects.create(
            conference=conference, name=name, position=position, equipment=["projector"]
        )
        TrackWindow.objects.create(track=track, room=room, starts_at=at(9), ends_at=at(18))
    ScheduleBreak.objects.create(
        conference=conference, title="Lunch", starts_at=at(13), ends_at=at(14)
    )
    return tracks


def test_admin_solves_and_publishes_and_public_sees_schedule(page, live_server, monkeypatch):
    # The solver runs as a Celery task; here in the live server's thread, even if the
    # environment names a broker.
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    conference = ConferenceFactory(slug="schedflow2027", name="Scheduling Flow Conference")
    talks, workshops_a, workshops_b = _venue(conference)
    titles = {
        "Bandit feedback in production search": talks,
        "Self-supervised vision for robots": talks,
        "Hands-on: offline RL with logged data": workshops_a,
        "Hands-on: evaluating vision models": workshops_b,
    }
    for title, track in titles.items():
        ProposalFactory(
            conference=conference,
            organisation=OrganisationFactory(),
            title=title,
            format=track.format,
            state=ProposalState.ACCEPTED,
            track=track,
        )
    admin = AdminFactory()

    log_in(page, live_server, admin.email, next_path=f"/scheduling/{conference.slug}/")
    page.get_by_role("button", name="Solve", exact=True).click()
    page.wait_for_url(re.compile(rf"/scheduling/{conference.slug}/v1/$"))
    page.get_by_role("button", name="Publish version 1").wait_for()
    shot(page, "admin-version-solved")
    page.get_by_label(re.compile("What changed and why")).fill("First schedule.")
    page.get_by_role("button", name="Publish version 1").click()
    page.wait_for_load_state()
    version = ScheduleVersion.objects.get(conference=conference, number=1)
    assert version.state == ScheduleState.PUBLISHED
    assert version.sessions.count() == len(titles)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/{conference.slug}/schedule/")
    body = page.locator("main").inner_text()
    for title in titles:
        assert title in body
    shot(page, "public-schedule")

    response = page.request.get(f"{live_server.url}/{conference.slug}/schedule.json")
    assert response.status == 200
    exported = json.dumps(response.json(), ensure_ascii=False)
    for title in titles:
        assert title in exported
