import pytest
from django.urls import reverse

from expo.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def signup_data(**overrides):
    data = {
        "full_name": "Grace Hopper",
        "email": "grace@navy.example",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
    }
    data.update(overrides)
    return data


def test_signup_creates_account_logs_in_and_opens_dashboard(client):
    response = client.post(reverse("signup"), signup_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    user = User.objects.get(email="grace@navy.example")
    assert user.check_password("a-long-unusual-passphrase")
    assert response.context["user"] == user


def test_signup_stores_email_lower_case(client):
    client.post(reverse("signup"), signup_data(email="Grace@Navy.EXAMPLE"))
    assert User.objects.filter(email="grace@navy.example").exists()


def test_signup_rejects_existing_email_in_any_case(client):
    UserFactory(email="grace@navy.example")
    response = client.post(reverse("signup"), signup_data(email="GRACE@navy.example"))
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-entirely"}, "The two passwords differ."),
        ({"password1": "short", "password2": "short"}, "too short"),
        ({"password1": "password123", "password2": "password123"}, "too common"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"full_name": ""}, "This field is required."),
    ],
)
def test_signup_bad_input_keeps_typed_values_and_creates_nothing(client, overrides, message):
    response = client.post(reverse("signup"), signup_data(**overrides))
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body
    assert User.objects.count() == 0
    if overrides.get("full_name") != "":
        assert 'value="Grace Hopper"' in body


def test_signup_follows_safe_next_only(client):
    response = client.post(
        reverse("signup") + "?next=/organisations/new/", signup_data(next="/organisations/new/")
    )
    assert response["Location"] == "/organisations/new/"
    client.logout()
    response = client.post(
        reverse("signup"), signup_data(email="other@x.example", next="https://evil.example/")
    )
    assert response["Location"] == reverse("dashboard")


def test_login_with_email_in_any_case(client):
    UserFactory(email="ada@example.org")
    response = client.post(reverse("login"), {"username": "Ada@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_login_wrong_password_says_so(client):
    UserFactory(email="ada@example.org")
    response = client.post(reverse("login"), {"username": "ada@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


def test_login_page_renders(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'type="email"' in response.content.decode()


def test_logout_requires_post_and_ends_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_create_superuser_has_admin_flags():
    admin = User.objects.create_superuser("root@example.org", "x-very-long-pass", full_name="R")
    assert admin.is_staff
    assert admin.is_superuser


def test_password_reset_sends_a_link(client, mailoutbox):
    UserFactory(email="ada@example.org")
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    client.post(reverse("password_reset"), {"email": "ada@example.org"})
    assert len(mailoutbox) == 1
    assert "/accounts/password/reset/" in mailoutbox[0].body


def test_password_reset_for_unknown_email_reveals_nothing(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "ghost@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_repeated_failed_logins_lock_out_then_cool_off(client, settings):
    from axes.models import AccessAttempt

    UserFactory(email="ada@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "ada@example.org", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "ada@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert client.get(reverse("dashboard")).status_code == 302  # not logged in
    # After the cool-off the right password works again.
    AccessAttempt.objects.all().delete()
    ok = client.post(reverse("login"), {"username": "ada@example.org", "password": PASSWORD})
    assert ok.status_code == 302
