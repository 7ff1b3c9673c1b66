"""The audit trail: append-only, browsable and exportable by admins only, safe CSV."""

import csv
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from reviews.exports import csv_safe
from reviews.models import AppendOnlyError, AuditEvent
from tests.reviews.factories import decide, submit_review

pytestmark = pytest.mark.django_db


def export(client, conference, **params):
    response = client.get(reverse("reviews:audit-export", args=[conference.slug]), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def history(conference, proposal, chair1, chair2):
    submit_review(chair1, proposal, 3)
    submit_review(chair1, proposal, 4, rationale="Changed my mind after reading the outline.")
    submit_review(chair2, proposal, 5)
    decide(chair2, proposal, "accept")
    return proposal


def test_every_step_is_recorded_with_who_and_what(history, chair1, chair2):
    actions = list(
        AuditEvent.objects.filter(proposal=history).order_by("pk").values_list("action", "actor")
    )
    assert actions == [
        ("proposal.state", None),  # created as submitted by the factory, outside the workflow
        ("review.submitted", chair1.pk),
        ("proposal.state", chair1.pk),
        ("review.revised", chair1.pk),
        ("review.submitted", chair2.pk),
        ("decision.made", chair2.pk),
        ("proposal.state", chair2.pk),
    ]


def test_events_cannot_be_changed_or_deleted_through_the_orm(history):
    event = AuditEvent.objects.first()
    event.summary = "rewritten history"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_database_refuses_raw_updates(history):
    event = AuditEvent.objects.first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reviews_auditevent SET summary = 'x' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.summary != "x"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the delete trigger is PostgreSQL's")
def test_postgresql_refuses_raw_deletes(history):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM reviews_auditevent")
    assert AuditEvent.objects.exists()


def test_admin_browses_and_filters_the_trail(client, conference, history, admin, chair1):
    client.force_login(admin)
    url = reverse("reviews:audit", args=[conference.slug])
    body = client.get(url).content.decode()
    assert "Review revised" in body
    assert chair1.email in body
    filtered = client.get(url, {"action": "decision.made"}).content.decode()
    assert "Decision made" in filtered
    assert "Review revised</span>" not in filtered


def test_admin_exports_the_trail_with_before_and_after(client, conference, history, admin):
    client.force_login(admin)
    rows = export(client, conference, action="review.revised")
    assert rows[0][:4] == ["id", "when (UTC)", "who", "action"]
    assert len(rows) == 2
    assert '"weighted_score": 3.0' in rows[1][7]
    assert '"weighted_score": 4.0' in rows[1][8]


def test_export_neutralises_spreadsheet_formulas(client, conference, proposal, chair1, admin):
    submit_review(chair1, proposal, rationale='=HYPERLINK("http://evil") looks like research')
    client.force_login(admin)
    rows = export(client, conference, action="review.submitted")
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-cmd", "'-cmd"),
        ("@import", "'@import"),
        ("\t=1", "'\t=1"),
        ("-1.50", "-1.50"),
        ("plain", "plain"),
        (3, 3),
    ],
)
def test_csv_safe_escapes_formula_starts(value, expected):
    assert csv_safe(value) == expected


@pytest.mark.parametrize("who", ["chair1", "sponsor", "insider"])
def test_only_admins_see_the_trail(client, conference, history, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reviews:audit", args=[conference.slug])).status_code == 403
    assert client.get(reverse("reviews:audit-export", args=[conference.slug])).status_code == 403
