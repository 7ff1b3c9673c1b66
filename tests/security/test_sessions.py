import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from rest_framework.authtoken.models import Token

from expo.security.services import LAST_SEEN, sessions_end_all, sessions_of
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_logout_everywhere_ends_every_session_of_the_user_only(client, client_factory):
    user, bystander = UserFactory(), UserFactory()
    laptop, phone, theirs = client_factory(), client_factory(), client_factory()
    for browser in (client, laptop, phone):
        login(browser, user)
    login(theirs, bystander)
    assert laptop.get(reverse("my-data")).status_code == 200

    response = client.post(reverse("security:logout-everywhere"), follow=True)
    assert "3 sessions ended" in response.content.decode()

    for browser in (client, laptop, phone):
        page = browser.get(reverse("my-data"))
        assert page.status_code == 302
        assert page["Location"].startswith(reverse("login"))
    assert theirs.get(reverse("my-data")).status_code == 200
    assert sessions_of(user=user) == []
    assert len(sessions_of(user=bystander)) == 1


def test_logout_everywhere_is_a_button_on_the_account_page(client):
    client.force_login(UserFactory())
    body = client.get(reverse("my-data")).content.decode()
    assert f'action="{reverse("security:logout-everywhere")}"' in body


def test_logout_everywhere_refuses_get(client):
    client.force_login(UserFactory())
    assert client.get(reverse("security:logout-everywhere")).status_code == 405
    assert client.get(reverse("my-data")).status_code == 200


def test_sessions_end_all_keeps_the_named_session(client_factory):
    user = UserFactory()
    first, second = client_factory(), client_factory()
    login(first, user)
    login(second, user)
    keep = first.cookies["sessionid"].value
    assert sessions_end_all(user=user, keep=keep) == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [keep]


def test_idle_session_expires_and_asks_to_log_in_again(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(UserFactory())
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 601
    session.save()
    response = client.get(reverse("my-data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    # The session is gone, not just redirected: logging out cleared it.
    assert client.get(reverse("my-data"))["Location"].startswith(reverse("login"))


def test_idle_api_session_expires_with_a_json_error(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(UserFactory())
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 601
    session.save()
    response = client.get("/api/v1/proposals/")
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "session_expired"


def test_active_session_stays_and_its_clock_moves(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(UserFactory())
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 300
    session.save()
    assert client.get(reverse("my-data")).status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - 5


def test_session_expiry_is_set_to_the_configured_age(client, settings):
    client.force_login(UserFactory())
    age = client.session.get_expiry_age()
    assert age == settings.SESSION_COOKIE_AGE


def test_api_token_is_created_shown_once_and_revoked(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("security:api-token"), {"action": "create"})
    token = Token.objects.get(user=user)
    assert token.key in response.content.decode()
    assert token.key not in client.get(reverse("security:overview")).content.decode()

    api = client_for_token = type(client)()
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client_for_token.get("/api/v1/proposals/", **auth).status_code == 200

    client.post(reverse("security:api-token"), {"action": "revoke"})
    assert not Token.objects.filter(user=user).exists()
    assert api.get("/api/v1/proposals/", **auth).status_code == 401


def test_api_token_replacement_stops_the_old_token(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("security:api-token"), {"action": "create"})
    old = Token.objects.get(user=user).key
    client.post(reverse("security:api-token"), {"action": "create"})
    assert Token.objects.get(user=user).key != old
    api = type(client)()
    assert api.get("/api/v1/proposals/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401


def test_api_token_bad_action_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    assert client.post(reverse("security:api-token"), {"action": "steal"}).status_code == 400
    assert not Token.objects.filter(user=user).exists()
