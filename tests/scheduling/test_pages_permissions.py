"""Who may open and change each scheduling page: anonymous visitors are sent to log in,
sponsors (of the proposals' organisation or another) and strangers get a 404, cochairs read
without changing, admins do everything. The public schedule needs no login."""

import pytest
from django.urls import reverse

from expo.proposals.models import ProposalState
from scheduling import services
from scheduling.models import ScheduleVersion, SolverStatus
from tests.scheduling.conftest import make_accepted

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "sponsor", "other_sponsor", "cochair", "admin"]


@pytest.fixture
def schedule(conference, venue, organisation, users):
    """Version 1 published, version 2 a draft copy of it."""
    talks = [make_accepted(conference, venue["talks"], organisation=organisation) for _ in range(2)]
    workshop = make_accepted(conference, venue["ws_a"], organisation=organisation)
    first = services.schedule_version_solve(conference=conference, by=users["admin"])
    services.schedule_version_publish(version=first, by=users["admin"])
    draft = services.schedule_version_copy(version=first, by=users["admin"])
    return {"published": first, "draft": draft, "talks": talks, "workshop": workshop}


def client_for(client, users, role):
    if role != "anonymous":
        client.force_login(users[role])
    return client


def admin_pages(conference):
    slug = conference.slug
    return [
        reverse("scheduling:overview", args=[slug]),
        reverse("scheduling:venue", args=[slug]),
        reverse("scheduling:tracks", args=[slug]),
        reverse("scheduling:compare", args=[slug]) + "?a=1&b=2",
        reverse("scheduling:version", args=[slug, 1]),
        reverse("scheduling:version-status", args=[slug, 2]),
        reverse("scheduling:grid", args=[slug, 1]),
        reverse("scheduling:grid", args=[slug, 2]),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_workspace_pages_open_only_to_admins_and_cochairs(
    client, conference, users, schedule, role
):
    client = client_for(client, users, role)
    expected = {
        "anonymous": 302,
        "sponsor": 404,
        "other_sponsor": 404,
        "cochair": 200,
        "admin": 200,
    }
    for url in admin_pages(conference):
        response = client.get(url)
        assert response.status_code == expected[role], url
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login"))


def test_cochair_sees_no_controls_that_change_the_schedule(client, conference, users, schedule):
    client.force_login(users["cochair"])
    grid = client.get(reverse("scheduling:grid", args=[conference.slug, 2])).content.decode()
    assert "read only" in grid
    assert 'name="session"' not in grid
    assert "Move here" not in grid
    overview = client.get(reverse("scheduling:overview", args=[conference.slug])).content.decode()
    assert "Solve a new version" not in overview
    admin = client.get(reverse("scheduling:grid", args=[conference.slug, 2]), follow=True)
    assert admin.status_code == 200


def post_actions(conference, schedule):
    slug = conference.slug
    draft = schedule["draft"]
    session = draft.sessions.first()
    return [
        (reverse("scheduling:solve", args=[slug]), {}),
        (reverse("scheduling:version-publish", args=[slug, draft.number]), {}),
        (reverse("scheduling:version-copy", args=[slug, draft.number]), {}),
        (reverse("scheduling:grid-edit", args=[slug, draft.number]), {"lock": session.pk}),
        (reverse("scheduling:tracks", args=[slug]), {}),
        (
            reverse("scheduling:track-choose", args=[slug, schedule["workshop"].pk]),
            {
                f"p{schedule['workshop'].pk}-track": schedule["workshop"].track_id,
                f"p{schedule['workshop'].pk}-reason": "x",
            },
        ),
        (reverse("scheduling:venue", args=[slug]), {"form": "room", "room-name": "Annex"}),
    ]


@pytest.mark.parametrize("role", ["anonymous", "sponsor", "other_sponsor", "cochair"])
def test_only_admins_change_anything(client, conference, users, schedule, role):
    client = client_for(client, users, role)
    versions = ScheduleVersion.objects.count()
    actions = post_actions(conference, schedule)
    if role == "cochair":
        # Chairs may move a proposal to another track (test_track_chair_override.py).
        choose = reverse("scheduling:track-choose", args=[conference.slug, schedule["workshop"].pk])
        actions = [(url, data) for url, data in actions if url != choose]
    for url, data in actions:
        response = client.post(url, data)
        assert response.status_code in {302, 403, 404}, url
        if role == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        else:
            assert response.status_code in {403, 404}, url
    assert ScheduleVersion.objects.count() == versions
    assert not schedule["draft"].sessions.filter(locked=True).exists()
    assert schedule["draft"].state == "draft"
    assert not conference.rooms.filter(name="Annex").exists()


def test_admin_actions_succeed(
    client, conference, users, schedule, django_capture_on_commit_callbacks
):
    client.force_login(users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        for url, data in post_actions(conference, schedule):
            response = client.post(url, data)
            assert response.status_code == 302, (url, response.content[:300])
    draft = ScheduleVersion.objects.get(pk=schedule["draft"].pk)
    assert draft.state == "published"
    assert conference.rooms.filter(name="Annex").exists()
    solved = ScheduleVersion.objects.filter(conference=conference).order_by("-number")
    assert {v.solver_status for v in solved} <= {
        SolverStatus.OPTIMAL,
        SolverStatus.MANUAL,
        SolverStatus.FEASIBLE,
    }


@pytest.mark.parametrize("role", ROLES)
def test_availability_page_is_for_the_proposals_sponsor(
    client, conference, venue, organisation, users, role
):
    proposal = make_accepted(conference, venue["talks"], organisation=organisation)
    client = client_for(client, users, role)
    response = client.get(reverse("scheduling:availability", args=[proposal.pk]))
    expected = {
        "anonymous": 302,
        "sponsor": 200,
        "other_sponsor": 404,
        "cochair": 404,
        "admin": 200,
    }
    assert response.status_code == expected[role]


def test_availability_cannot_change_once_rejected(client, conference, venue, organisation, users):
    proposal = make_accepted(conference, venue["talks"], organisation=organisation)
    proposal.state = ProposalState.REJECTED
    proposal.save()
    client.force_login(users["sponsor"])
    page = client.get(reverse("scheduling:availability", args=[proposal.pk]))
    assert "can no longer be scheduled" in page.content.decode()
    response = client.post(
        reverse("scheduling:availability", args=[proposal.pk]),
        {"half_day": "morning", "away-TOTAL_FORMS": "0", "away-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 403
    assert not hasattr(proposal, "session_preference") or proposal.session_preference is None


@pytest.mark.parametrize("role", ROLES)
def test_public_schedule_needs_no_login(client, conference, users, schedule, role):
    client = client_for(client, users, role)
    slug = conference.slug
    for url in [
        reverse("schedule-public", args=[slug]),
        reverse("schedule-public-track", args=[slug, schedule["workshop"].track_id]),
        reverse("schedule-session", args=[slug, schedule["workshop"].pk]),
        reverse("schedule-xml", args=[slug]),
        reverse("schedule-json", args=[slug]),
        reverse("schedule-ics", args=[slug]),
    ]:
        assert client.get(url).status_code == 200, url
