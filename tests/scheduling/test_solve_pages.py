"""Solving from the web: the request creates a waiting version, the Celery task (eager in
tests) fills it once however often it is delivered, and the version page says in plain words
why no schedule exists."""

import pytest
from django.urls import reverse

from scheduling import services
from scheduling.models import ScheduledSession, ScheduleVersion, SolverStatus
from scheduling.tasks import solve_schedule
from tests.factories import OrganisationFactory
from tests.scheduling.conftest import make_accepted

pytestmark = pytest.mark.django_db


def test_solve_button_solves_through_the_task_and_shows_the_result(
    client, conference, venue, users, django_capture_on_commit_callbacks
):
    for track in (venue["talks"], venue["ws_a"]):
        make_accepted(conference, track)
    client.force_login(users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("scheduling:solve", args=[conference.slug]))
    version = ScheduleVersion.objects.get()
    assert response["Location"] == reverse("scheduling:version", args=[conference.slug, 1])
    assert version.solver_status == SolverStatus.OPTIMAL
    assert version.sessions.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Optimal" in page
    assert "Open the grid" in page


def test_waiting_version_page_polls_and_the_task_is_idempotent(client, conference, venue, users):
    make_accepted(conference, venue["talks"])
    version = services.schedule_version_request(
        conference=conference, by=users["admin"], enqueue=False
    )
    client.force_login(users["cochair"])
    page = client.get(reverse("scheduling:version", args=[conference.slug, 1])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "The solver is placing the sessions" in page
    assert solve_schedule.apply(args=[version.pk]).get() is True
    assert solve_schedule.apply(args=[version.pk]).get() is False  # a redelivery does nothing
    assert ScheduledSession.objects.filter(version=version).count() == 1
    status = client.get(
        reverse("scheduling:version-status", args=[conference.slug, 1]), HTTP_HX_REQUEST="true"
    )
    assert status["HX-Refresh"] == "true"
    assert solve_schedule.apply(args=[987654]).get() is False  # a deleted version: nothing


def test_solve_refuses_while_proposals_have_no_track(client, conference, venue, users):
    make_accepted(conference, venue["talks"])
    lost = make_accepted(conference, venue["talks"], title="Lost talk")
    lost.track = None
    lost.save()
    client.force_login(users["admin"])
    response = client.post(reverse("scheduling:solve", args=[conference.slug]), follow=True)
    assert "“Lost talk”. Sort them into tracks first." in response.content.decode()
    assert not ScheduleVersion.objects.exists()


def test_infeasible_version_page_explains_in_plain_words(client, conference, venue, users):
    acme = OrganisationFactory(name="Acme")
    for track in (venue["ws_a"], venue["ws_a"], venue["ws_b"]):
        make_accepted(conference, track, organisation=acme)
    version = services.schedule_version_solve(conference=conference, by=users["admin"])
    assert version.solver_status == SolverStatus.INFEASIBLE
    client.force_login(users["admin"])
    page = client.get(reverse("scheduling:version", args=[conference.slug, 1])).content.decode()
    assert "No schedule can keep every rule" in page
    assert "Acme runs 3 of these sessions" in page
    assert "What you can do:" in page
    assert "Publish version" not in page
    assert "Open the grid" not in page
