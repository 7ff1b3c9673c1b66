import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ConferenceFactory, MembershipFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def dashboard_queries(client, member, count):
    conference = ConferenceFactory()
    for _ in range(count):
        ProposalFactory(organisation=member.organisation, conference=conference, speakers=2)
    client.force_login(member.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert response.content.decode().count('data-label="Title"') == count
    return len(queries)


def test_dashboard_query_count_is_the_same_at_1_and_50_proposals(client):
    one = dashboard_queries(client, MembershipFactory(role="owner"), 1)
    fifty = dashboard_queries(client, MembershipFactory(role="owner"), 50)
    assert one == fifty
    # Session, user, organisations, chaired conferences, proposals, their topics; the
    # navigation reuses the chaired conferences.
    assert one == 6


def test_dashboard_empty_state_guides_the_sponsor(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get(reverse("dashboard")).content.decode()
    assert "You do not belong to a sponsor organisation yet" in body
    assert "No proposals yet" in body


def test_dashboard_shows_state_and_conference(client):
    member = MembershipFactory(role="owner")
    proposal = ProposalFactory(organisation=member.organisation, state="submitted")
    client.force_login(member.user)
    body = client.get(reverse("dashboard")).content.decode()
    assert proposal.title in body
    assert proposal.conference.name in body
    assert "badge-submitted" in body


def test_dashboard_rows_escape_text_and_show_times_as_the_date_filter_would(client, settings):
    from django.template import Context, Template

    from expo.conferences.models import Topic

    settings.TIME_ZONE = "America/New_York"
    member = MembershipFactory(role="owner")
    member.organisation.name = "Acme & <Sons>"
    member.organisation.save()
    proposal = ProposalFactory(
        organisation=member.organisation, title='<script>alert("x")</script> & more'
    )
    second = Topic.objects.create(conference=proposal.conference, name="Zeta <b>", position=2)
    first = Topic.objects.create(conference=proposal.conference, name="Alpha", position=1)
    proposal.topics.set([second, first])
    client.force_login(member.user)
    body = client.get(reverse("dashboard")).content.decode()

    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(" in body
    assert "&lt;/script&gt; &amp; more" in body
    assert "Acme &amp; &lt;Sons&gt;" in body
    assert '<td data-label="Topics">Alpha, Zeta &lt;b&gt;</td>' in body
    assert f'href="{reverse("proposal-detail", args=[proposal.pk])}"' in body
    proposal.refresh_from_db()
    time = Template('<time datetime="{{ t|date:\'c\' }}">{{ t|date:"j M Y, H:i" }}</time>')
    expected = time.render(Context({"t": proposal.updated_at}))
    assert expected in body
    iso = expected.split('"')[1]
    assert iso.endswith(("-05:00", "-04:00")), "shown in the site's time zone, not UTC"
