"""Decision e-mails: editable templates with placeholders, preview, outbox, exactly-once sending."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from expo.sweeper import outbox_messages_unsent
from reviews import services
from reviews.models import AuditEvent, NotificationTemplate, OutboxMessage, ReviewSettings
from reviews.tasks import outbox_send
from tests.factories import MembershipFactory
from tests.reviews.factories import decide, submit_review

pytestmark = pytest.mark.django_db

PRIVATE = "Between us: their CTO oversold this"


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses everything (the one thing outside our control here)."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


@pytest.fixture
def decided(conference, proposal, chair1, chair2):
    submit_review(chair1, proposal, 4, rationale="A solid research demo; show more ablations.")
    submit_review(chair2, proposal, 5, private_comment=PRIVATE)
    decide(chair1, proposal, "accept", "We look forward to your demo.")
    proposal.refresh_from_db()
    return proposal


def url_for(proposal):
    return f"https://expo.example/proposals/{proposal.pk}/"


def queue(by, conference, proposals):
    return services.notifications_queue(
        by=by, conference=conference, proposals=proposals, url_for=url_for
    )


def test_template_with_unknown_placeholder_is_refused(conference, chair1):
    template = NotificationTemplate.objects.get(conference=conference, outcome="accept")
    with pytest.raises(ValidationError, match="Unknown placeholder"):
        services.notification_template_update(
            by=chair1, template=template, subject="Hi {{ sponsr }}", body="Body"
        )
    template.refresh_from_db()
    assert "sponsr" not in template.subject


def test_template_change_is_saved_and_audited(conference, chair1):
    template = NotificationTemplate.objects.get(conference=conference, outcome="reject")
    old = template.subject
    services.notification_template_update(
        by=chair1, template=template, subject="News about {{ proposal }}", body="Dear {{ sponsor }}"
    )
    event = AuditEvent.objects.get(action="template.changed")
    assert event.before["subject"] == old
    assert event.after["subject"] == "News about {{ proposal }}"


def test_template_edit_page_refuses_bad_input(client, conference, chair1):
    client.force_login(chair1)
    url = reverse("reviews:template-edit", args=[conference.slug, "accept"])
    response = client.post(url, {"subject": "Line one {{ nope }}", "body": "x"})
    assert response.status_code == 400
    assert "Unknown placeholder" in response.content.decode()
    assert (
        client.get(reverse("reviews:template-edit", args=[conference.slug, "maybe"])).status_code
        == 404
    )


def test_preview_renders_decision_rationale_and_public_feedback_only(
    client, conference, decided, chair1
):
    MembershipFactory(organisation=decided.organisation, user__email="cto@sponsor.example")
    client.force_login(chair1)
    url = reverse("reviews:notifications", args=[conference.slug])
    body = client.get(url, {"proposals": [decided.pk]}).content.decode()
    assert "Preview: 1 e-mail" in body
    assert decided.organisation.name in body
    assert decided.title in body
    assert "We look forward to your demo." in body
    assert "show more ablations" in body
    assert PRIVATE not in body
    assert "cto@sponsor.example" in body
    assert not OutboxMessage.objects.exists(), "previewing sends nothing"


def test_queued_message_is_sent_exactly_once(
    conference, decided, chair1, sponsor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = queue(chair1, conference, [decided])
    assert len(result.queued) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [sponsor.email]
    assert decided.title in message.subject
    assert "We look forward to your demo." in message.body
    assert PRIVATE not in message.body
    outbox = OutboxMessage.objects.get()
    assert outbox.status == "sent"
    assert outbox.attempts == 1
    # A retried or duplicated task finds it sent.
    assert outbox_send.apply(args=[outbox.pk]).get() is False
    assert outbox_messages_unsent(older_than=timezone.now()) == ([], []), "nothing to sweep"
    assert len(mail.outbox) == 1
    # Queueing the same decision again creates nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = queue(chair1, conference, [decided])
    assert again.skipped_already_queued == 1
    assert not again.queued
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="notification.sent").count() == 1


def test_message_id_comes_from_the_idempotency_key(
    conference, decided, chair1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(chair1, conference, [decided])
    outbox = OutboxMessage.objects.get()
    assert mail.outbox[0].extra_headers["Message-ID"] == services._message_id(
        outbox.idempotency_key
    )


def test_changed_decision_gets_its_own_message(
    conference, decided, chair1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queue(chair1, conference, [decided])
    decide(chair1, decided, "waitlist", "We over-committed the talk track, sorry.")
    decided.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        queue(chair1, conference, [decided])
    assert len(mail.outbox) == 2
    assert "waiting list" in mail.outbox[1].subject


def test_failed_delivery_is_recorded_and_retried_until_sent(settings, conference, decided, chair1):
    queue(chair1, conference, [decided])  # on_commit never runs in this test transaction
    outbox = OutboxMessage.objects.get()
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    with pytest.raises(services.DeliveryFailed):
        services.outbox_deliver(message_id=outbox.pk)
    outbox.refresh_from_db()
    assert outbox.status == "failed"
    assert outbox.attempts == 1
    assert "unreachable" in outbox.last_error
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert services.outbox_deliver(message_id=outbox.pk) is True
    outbox.refresh_from_db()
    assert outbox.status == "sent"
    assert outbox.attempts == 2
    assert len(mail.outbox) == 1


def test_eager_failure_does_not_break_the_page_and_leaves_the_row_queued(
    settings, client, conference, decided, chair1, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}
    client.force_login(chair1)
    url = reverse("reviews:notifications", args=[conference.slug])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"proposals": [decided.pk]})
    assert response.status_code == 302
    assert OutboxMessage.objects.get().status == "failed"


def test_queueing_needs_a_decision_and_recipients(conference, proposal, decided, chair1):
    with pytest.raises(ValidationError, match="Not decided"):
        queue(chair1, conference, [_undecided(conference)])
    decided.organisation.memberships.all().delete()
    result = queue(chair1, conference, [decided])
    assert result.skipped_no_recipients == [decided.title]
    assert not OutboxMessage.objects.exists()


def _undecided(conference):
    from tests.reviews.factories import submitted_proposal

    return submitted_proposal(conference)


def test_notifications_page_posts_only_decided_visible_proposals(
    client, conference, decided, chair1
):
    client.force_login(chair1)
    url = reverse("reviews:notifications", args=[conference.slug])
    undecided = _undecided(conference)
    response = client.post(url, {"proposals": [undecided.pk]})
    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()


def test_sponsor_sees_decision_and_public_rationales_only(client, conference, decided, sponsor):
    from django.template import Context, Template

    html = Template("{% load reviews %}{% sponsor_feedback proposal %}").render(
        Context({"proposal": decided})
    )
    assert "Decision: Accept" in html
    assert "We look forward to your demo." in html
    assert "show more ablations" in html
    assert PRIVATE not in html
    assert "Kofi" not in html, "reviewers stay anonymous"
    assert "Charlotte" not in html
    assert "5.00" not in html, "no scores for the sponsor"


def test_sponsor_sees_nothing_before_the_decision(conference, proposal, chair1):
    from reviews.selectors import public_feedback_for_sponsor

    ReviewSettings.objects.filter(conference=conference).update(required_reviews=1)
    submit_review(chair1, proposal)
    assert public_feedback_for_sponsor(proposal=proposal) is None
