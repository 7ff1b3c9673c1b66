"""The admin grid: moving and swapping sessions with immediate clash warnings (htmx partial
updates), locks, the public version's stricter rule, and a query count that does not grow
with the number of sessions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from expo.proposals.models import Speaker
from scheduling import selectors, services
from scheduling.models import ScheduleChange, ScheduledSession
from tests.scheduling.conftest import at, make_accepted

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def target(room, track, moment) -> str:
    return selectors.GridCell("free", 1, selectors.GridColumn(room, track), moment).target


@pytest.fixture
def draft(conference, venue, organisation, users):
    """Two talks of one organisation and a workshop, solved into draft version 1."""
    first = make_accepted(conference, venue["talks"], organisation=organisation, title="Alpha")
    second = make_accepted(conference, venue["talks"], organisation=organisation, title="Beta")
    workshop = make_accepted(conference, venue["ws_a"], title="Gamma workshop")
    version = services.schedule_version_solve(conference=conference, by=users["admin"])
    sessions = {s.proposal.title: s for s in version.sessions.select_related("proposal")}
    return {"version": version, "sessions": sessions, "proposals": (first, second, workshop)}


def grid_url(conference, version, name="scheduling:grid-edit"):
    return reverse(name, args=[conference.slug, version.number])


def test_moving_onto_a_clash_warns_at_once_and_names_the_rule(
    client, conference, venue, users, draft
):
    client.force_login(users["admin"])
    alpha, beta = draft["sessions"]["Alpha"], draft["sessions"]["Beta"]
    hall = venue["rooms"][venue["talks"].pk]
    # Beta goes to Alpha's hour: the same room and the same organisation at once.
    response = client.post(
        grid_url(conference, draft["version"]),
        {"session": beta.pk, "to": target(hall, venue["talks"], alpha.starts_at)},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="grid-area"' in html
    assert "<html" not in html
    assert "This change breaks 2 rules" in html
    assert 'data-rule="room"' in html
    assert "Room double-booked" in html
    assert 'data-rule="organisation"' in html
    assert "Acme Research has “Alpha” and “Beta” at once" in html
    beta.refresh_from_db()
    assert beta.starts_at == alpha.starts_at  # a draft takes the change, with the warning
    page = client.get(reverse("scheduling:version", args=[conference.slug, 1])).content.decode()
    assert "Broken rules" in page
    assert "“Alpha” and “Beta” overlap in Hall 1." in page


def test_speaker_clash_is_named(client, conference, venue, users, draft):
    alpha, gamma = draft["sessions"]["Alpha"], draft["sessions"]["Gamma workshop"]
    Speaker.objects.create(proposal=gamma.proposal, name="Ada", email="ada@example.org")
    Speaker.objects.create(proposal=alpha.proposal, name="Ada", email="ADA@example.org")
    hall = venue["rooms"][venue["talks"].pk]
    client.force_login(users["admin"])
    response = client.post(
        grid_url(conference, draft["version"]),
        {"session": alpha.pk, "to": target(hall, venue["talks"], gamma.starts_at)},
        **HTMX,
    )
    html = response.content.decode()
    assert "Speaker in two places" in html
    assert "Speaker ada@example.org is in both" in html


def test_move_to_a_free_slot_breaks_nothing(client, conference, venue, users, draft):
    client.force_login(users["admin"])
    beta = draft["sessions"]["Beta"]
    taken = {s.starts_at for s in draft["sessions"].values()}
    free = next(
        at(conference, h) for h in (9, 10, 11, 12, 14, 15, 16, 17) if at(conference, h) not in taken
    )
    hall = venue["rooms"][venue["talks"].pk]
    response = client.post(
        grid_url(conference, draft["version"]),
        {"session": beta.pk, "to": target(hall, venue["talks"], free)},
        **HTMX,
    )
    html = response.content.decode()
    assert "Moved “Beta” to Hall 1" in html
    assert "breaks" not in html
    assert "No clashes" in html
    beta.refresh_from_db()
    assert (beta.starts_at, beta.ends_at - beta.starts_at) == (free, alpha_length(draft))


def alpha_length(draft):
    alpha = draft["sessions"]["Alpha"]
    return alpha.ends_at - alpha.starts_at


def test_workshop_moved_across_lunch_names_the_break(client, conference, venue, users, draft):
    client.force_login(users["admin"])
    gamma = draft["sessions"]["Gamma workshop"]
    room = venue["rooms"][venue["ws_a"].pk]
    response = client.post(
        grid_url(conference, draft["version"]),
        {"session": gamma.pk, "to": target(room, venue["ws_a"], at(conference, 11))},
        **HTMX,
    )
    html = response.content.decode()
    assert "Runs into a break" in html
    assert "runs into Lunch" in html


def test_swap_trades_places_and_rejects_other_tracks(client, conference, venue, users, draft):
    client.force_login(users["admin"])
    alpha, beta, gamma = (draft["sessions"][t] for t in ("Alpha", "Beta", "Gamma workshop"))
    before = (alpha.starts_at, beta.starts_at)
    client.post(
        grid_url(conference, draft["version"]), {"session": alpha.pk, "swap": beta.pk}, **HTMX
    )
    alpha.refresh_from_db()
    beta.refresh_from_db()
    assert (beta.starts_at, alpha.starts_at) == before
    response = client.post(
        grid_url(conference, draft["version"]), {"session": alpha.pk, "swap": gamma.pk}, **HTMX
    )
    assert "are in different tracks" in response.content.decode()


def test_moving_into_another_tracks_room_is_refused(client, conference, venue, users, draft):
    client.force_login(users["admin"])
    alpha = draft["sessions"]["Alpha"]
    room_a = venue["rooms"][venue["ws_a"].pk]
    response = client.post(
        grid_url(conference, draft["version"]),
        {"session": alpha.pk, "to": target(room_a, venue["ws_a"], at(conference, 9))},
        **HTMX,
    )
    assert "Room A has no time window for Talks &amp; demos" in response.content.decode()
    before = alpha.starts_at, alpha.room_id
    alpha.refresh_from_db()
    assert (alpha.starts_at, alpha.room_id) == before


def test_bad_grid_input_changes_nothing(client, conference, venue, users, draft):
    client.force_login(users["admin"])
    alpha = draft["sessions"]["Alpha"]
    url = grid_url(conference, draft["version"])
    cases = [
        ({"to": "1:1:2027-01-01T09:00:00+00:00"}, "First select the session"),
        ({"session": alpha.pk, "to": "nonsense"}, "not a place in the grid"),
        ({"session": alpha.pk, "to": "1:1:2027-01-01T09:00:00"}, "not a place in the grid"),
        ({"session": 999999, "lock": 999999}, "not in this version"),
        ({"session": alpha.pk}, "Choose one thing to do"),
    ]
    for data, message in cases:
        response = client.post(url, data, **HTMX)
        assert message in response.content.decode(), data
    alpha_now = ScheduledSession.objects.get(pk=alpha.pk)
    assert (alpha_now.starts_at, alpha_now.room_id, alpha_now.locked) == (
        alpha.starts_at,
        alpha.room_id,
        False,
    )


def test_lock_then_solve_again_keeps_the_session(client, conference, venue, users, draft):
    client.force_login(users["admin"])
    beta = draft["sessions"]["Beta"]
    hall = venue["rooms"][venue["talks"].pk]
    client.post(
        grid_url(conference, draft["version"]),
        {"session": beta.pk, "to": target(hall, venue["talks"], at(conference, 17))},
        **HTMX,
    )
    response = client.post(grid_url(conference, draft["version"]), {"lock": beta.pk}, **HTMX)
    assert "is locked" in response.content.decode()
    again = services.schedule_version_solve(
        conference=conference, by=users["admin"], based_on=draft["version"]
    )
    kept = again.sessions.get(proposal__title="Beta")
    assert (kept.starts_at, kept.locked) == (at(conference, 17), True)


def test_without_htmx_the_outcome_comes_back_as_messages(client, conference, venue, users, draft):
    client.force_login(users["admin"])
    alpha, beta = draft["sessions"]["Alpha"], draft["sessions"]["Beta"]
    hall = venue["rooms"][venue["talks"].pk]
    response = client.post(
        grid_url(conference, draft["version"]),
        {"session": beta.pk, "to": target(hall, venue["talks"], alpha.starts_at)},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[0][0].startswith(
        grid_url(conference, draft["version"], "scheduling:grid")
    )
    assert "Room double-booked" in html
    assert "Organisation&#x27;s sessions overlap" in html


def test_public_version_refuses_a_clash_and_logs_a_clean_move(
    client, conference, venue, users, draft, mailoutbox, django_capture_on_commit_callbacks
):
    version = services.schedule_version_publish(version=draft["version"], by=users["admin"])
    client.force_login(users["admin"])
    alpha, beta = draft["sessions"]["Alpha"], draft["sessions"]["Beta"]
    hall = venue["rooms"][venue["talks"].pk]
    response = client.post(
        grid_url(conference, version),
        {"session": beta.pk, "to": target(hall, venue["talks"], alpha.starts_at)},
        **HTMX,
    )
    html = response.content.decode()
    assert "Nothing was changed" in html
    assert "Room double-booked" in html
    beta_before = beta.starts_at
    beta.refresh_from_db()
    assert beta.starts_at == beta_before
    assert not ScheduleChange.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            grid_url(conference, version),
            {
                "session": beta.pk,
                "to": target(hall, venue["talks"], at(conference, 17)),
                "reason": "The speaker lands at noon.",
            },
            **HTMX,
        )
    assert "Logged and announced to the sponsor" in response.content.decode()
    change = ScheduleChange.objects.get()
    assert (change.title, change.kind, change.starts_before, change.starts_after) == (
        "Beta",
        "moved",
        beta_before,
        at(conference, 17),
    )
    assert change.reason == "The speaker lands at noon."
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [users["sponsor"].email]
    assert "The speaker lands at noon." in mailoutbox[0].body


def make_talks(conference, venue, count):
    for n in range(count):
        make_accepted(conference, venue["talks"], title=f"Talk {n}")


@pytest.mark.parametrize("view", ["grid", "edit"])
def test_grid_query_count_does_not_grow_with_sessions(client, conference, venue, users, view):
    client.force_login(users["admin"])
    counts = []
    for count in (1, 6):
        make_talks(conference, venue, count if not counts else count - 1)
        version = services.schedule_version_solve(conference=conference, by=users["admin"])
        session = version.sessions.first()
        with CaptureQueriesContext(connection) as queries:
            if view == "grid":
                response = client.get(grid_url(conference, version, "scheduling:grid"))
            else:
                response = client.post(grid_url(conference, version), {"lock": session.pk}, **HTMX)
        assert response.status_code == 200
        assert response.content.decode().count('name="session"') == version.sessions.count()
        counts.append(len(queries))
    assert counts[0] == counts[1]
