"""Publishing: a newer version replacing a public one logs every session it moves, and each
sponsor concerned is e-mailed once, however often the notification is retried. The log is
append-only. The public sees only published versions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from expo.sweeper import outbox_messages_unsent
from reviews.models import OutboxMessage, OutboxStatus
from reviews.tasks import outbox_send
from scheduling import selectors, services
from scheduling.models import AppendOnlyError, ScheduleChange, SolverStatus
from tests.factories import MembershipFactory, OrganisationFactory
from tests.scheduling.conftest import at, make_accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(conference, venue, organisation, users):
    talk = make_accepted(conference, venue["talks"], organisation=organisation, title="Alpha")
    others = OrganisationFactory(name="Bystander Inc")
    MembershipFactory(organisation=others)
    other = make_accepted(conference, venue["talks"], organisation=others, title="Steady")
    version = services.schedule_version_solve(conference=conference, by=users["admin"])
    services.schedule_version_publish(version=version, by=users["admin"])
    return {"version": version, "talk": talk, "other": other}


def move(version, title, hour, by, conference):
    session = version.sessions.get(proposal__title=title)
    return services.scheduled_session_move(
        version=version,
        session_id=session.pk,
        room_id=session.room_id,
        starts_at=at(conference, hour),
        by=by,
    )


def free_hour(version, conference):
    taken = {s.starts_at for s in version.sessions.all()}
    return next(h for h in (17, 16, 15, 14) if at(conference, h) not in taken)


def test_first_publication_logs_nothing_and_mails_nobody(published, mailoutbox):
    assert not ScheduleChange.objects.exists()
    assert mailoutbox == []


def test_republishing_logs_each_moved_session_and_mails_its_sponsor_once(
    conference, users, published, mailoutbox, django_capture_on_commit_callbacks
):
    draft = services.schedule_version_copy(version=published["version"], by=users["admin"])
    hour = free_hour(draft, conference)
    move(draft, "Alpha", hour, users["admin"], conference)
    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_version_publish(
            version=draft,
            by=users["admin"],
            schedule_url="https://expo.example.org/x/schedule/",
            note="Room swap with the keynote.",
        )
    change = ScheduleChange.objects.get()
    assert (change.title, change.kind, change.version, change.starts_after) == (
        "Alpha",
        "moved",
        draft,
        at(conference, hour),
    )
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == [users["sponsor"].email]
    assert "“Alpha” has moved" in mail.subject
    assert "Room swap with the keynote." in mail.body
    assert "https://expo.example.org/x/schedule/" in mail.body
    assert f"{hour:02d}:00" in mail.body
    # Retrying: queueing the same change again, or a second delivery, sends nothing new, and
    # the sweeper finds nothing left to send.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.schedule_changes_notify(changes=[change], by=users["admin"]) == 0
    message = OutboxMessage.objects.get(idempotency_key=f"schedule-change:{change.pk}")
    assert outbox_send.apply(args=[message.pk]).get() is False
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert outbox_messages_unsent(older_than=timezone.now()) == ([], [])


def test_removed_and_added_sessions_are_logged(conference, venue, organisation, users, published):
    newcomer = make_accepted(conference, venue["talks"], organisation=organisation, title="Late")
    draft = services.schedule_version_copy(version=published["version"], by=users["admin"])
    hour = free_hour(draft, conference)
    draft.sessions.create(
        proposal=newcomer,
        track=venue["talks"],
        room=venue["rooms"][venue["talks"].pk],
        starts_at=at(conference, hour),
        ends_at=at(conference, hour + 1),
    )
    published["other"].state = "withdrawn"
    published["other"].save()
    draft.sessions.filter(proposal=published["other"]).delete()
    services.schedule_version_publish(version=draft, by=users["admin"])
    kinds = dict(ScheduleChange.objects.values_list("title", "kind"))
    assert kinds == {"Late": "added", "Steady": "removed"}


def test_change_log_is_append_only(conference, users, published):
    move(
        published["version"],
        "Alpha",
        free_hour(published["version"], conference),
        users["admin"],
        conference,
    )
    change = ScheduleChange.objects.get()
    change.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        ScheduleChange.objects.update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        ScheduleChange.objects.all().delete()


def test_a_superseded_version_cannot_be_edited(conference, users, published):
    draft = services.schedule_version_copy(version=published["version"], by=users["admin"])
    services.schedule_version_publish(version=draft, by=users["admin"])
    with pytest.raises(Exception, match="no longer the public schedule"):
        move(published["version"], "Alpha", 17, users["admin"], conference)


def test_pending_version_cannot_be_published(conference, users, published):
    waiting = services.schedule_version_request(
        conference=conference, by=users["admin"], enqueue=False
    )
    assert waiting.solver_status == SolverStatus.PENDING
    with pytest.raises(Exception, match="still waiting for the solver"):
        services.schedule_version_publish(version=waiting, by=users["admin"])


def test_public_pages_show_only_the_published_version(client, conference, users, published):
    draft = services.schedule_version_copy(version=published["version"], by=users["admin"])
    hour = free_hour(draft, conference)
    move(draft, "Alpha", hour, users["admin"], conference)
    public_time = published["version"].sessions.get(proposal__title="Alpha").starts_at
    page = client.get(reverse("schedule-public", args=[conference.slug])).content.decode()
    assert "Alpha" in page
    assert f'datetime="{public_time.astimezone(conference.tzinfo).isoformat()}"' in page
    assert f'datetime="{at(conference, hour).isoformat()}"' not in page
    session = client.get(reverse("schedule-session", args=[conference.slug, published["talk"].pk]))
    assert f"{public_time.astimezone(conference.tzinfo):%H:%M}" in session.content.decode()
    assert selectors.schedule_version_public(conference=conference) == published["version"]


def test_track_page_lists_only_its_track(client, conference, venue, users, published):
    workshop = make_accepted(conference, venue["ws_b"], title="Hands-on vision")
    draft = services.schedule_version_solve(conference=conference, by=users["admin"])
    services.schedule_version_publish(version=draft, by=users["admin"])
    talks = client.get(reverse("schedule-public-track", args=[conference.slug, venue["talks"].pk]))
    html = talks.content.decode()
    assert "Alpha" in html
    assert "Steady" in html
    assert workshop.title not in html
    ws = client.get(reverse("schedule-public-track", args=[conference.slug, venue["ws_b"].pk]))
    assert workshop.title in ws.content.decode()
    assert "Alpha" not in ws.content.decode()


def test_nothing_published_means_404_everywhere(client, conference, venue, users):
    make_accepted(conference, venue["talks"], title="Secret draft")
    draft = services.schedule_version_solve(conference=conference, by=users["admin"])
    assert draft.sessions.exists()
    slug = conference.slug
    for name in ["schedule-public", "schedule-xml", "schedule-json", "schedule-ics"]:
        response = client.get(reverse(name, args=[slug]))
        assert response.status_code == 404, name
        assert b"Secret draft" not in response.content
    assert client.get(reverse("schedule-public", args=["no-such-conference"])).status_code == 404
