import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, AdminFactory, MembershipFactory
from tests.security.conftest import totp_code

pytestmark = pytest.mark.django_db


def password_login(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_two_factor_setup_is_offered_to_chairs_and_admins_not_sponsors(client, chair_user):
    sponsor = MembershipFactory().user
    client.force_login(sponsor)
    assert client.get(reverse("security:two-factor-setup")).status_code == 403
    assert "Two-factor login" not in client.get(reverse("security:overview")).content.decode()
    for user in (chair_user, AdminFactory()):
        client.force_login(user)
        page = client.get(reverse("security:two-factor-setup"))
        assert page.status_code == 200
        assert f'src="{reverse("security:two-factor-qr")}"' in page.content.decode()


def test_two_factor_qr_code_is_an_svg_of_the_pending_secret(client, chair_user):
    client.force_login(chair_user)
    assert client.get(reverse("security:two-factor-qr")).status_code == 404
    client.get(reverse("security:two-factor-setup"))
    response = client.get(reverse("security:two-factor-qr"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert body.lstrip().startswith("<?xml") or body.lstrip().startswith("<svg")
    assert "<script" not in body
    # The same pending device on a reload, so a half-finished scan stays valid.
    client.get(reverse("security:two-factor-setup"))
    assert TOTPDevice.objects.filter(user=chair_user).count() == 1


def test_two_factor_enrolment_with_the_right_code_turns_it_on(client, chair_user):
    client.force_login(chair_user)
    client.get(reverse("security:two-factor-setup"))
    device = TOTPDevice.objects.get(user=chair_user)
    response = client.post(reverse("security:two-factor-setup"), {"code": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    # This session passed the code, so chair pages open without another step.
    assert client.get(reverse("reviews:index")).status_code in (200, 302)
    assert reverse("security:two-factor-verify") not in client.get(reverse("reviews:index")).get(
        "Location", ""
    )


def test_two_factor_enrolment_with_a_wrong_code_changes_nothing(client, chair_user):
    client.force_login(chair_user)
    client.get(reverse("security:two-factor-setup"))
    device = TOTPDevice.objects.get(user=chair_user)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("security:two-factor-setup"), {"code": wrong})
    assert response.status_code == 400
    assert "not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=chair_user).confirmed
    response = client.post(reverse("security:two-factor-setup"), {"code": "abc"})
    assert "six digits" in response.content.decode()


def test_enabling_two_factor_ends_the_users_other_sessions(client, client_factory, chair_user):
    other = client_factory()
    password_login(other, chair_user)
    client.force_login(chair_user)
    client.get(reverse("security:two-factor-setup"))
    device = TOTPDevice.objects.get(user=chair_user)
    client.post(reverse("security:two-factor-setup"), {"code": totp_code(device)})
    response = other.get(reverse("my-data"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("my-data")).status_code == 200


def test_login_with_a_device_needs_the_code_before_any_page(client, conference, chair_with_device):
    password_login(client, chair_with_device)
    verify = reverse("security:two-factor-verify")
    for url in (
        reverse("reviews:dashboard", kwargs={"slug": conference.slug}),
        reverse("admin:index"),
        reverse("dashboard"),
        reverse("my-data"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(verify), url
    api = client.get("/api/v1/proposals/")
    assert api.status_code == 403
    assert api.json()["errors"][0]["code"] == "two_factor_required"

    device = TOTPDevice.objects.get(user=chair_with_device)
    dashboard = reverse("reviews:dashboard", kwargs={"slug": conference.slug})
    response = client.post(verify, {"code": totp_code(device), "next": dashboard})
    assert response.status_code == 302
    assert response["Location"] == dashboard
    assert client.get(dashboard).status_code == 200
    assert client.get("/api/v1/proposals/").status_code == 200


def test_two_factor_verification_gives_a_new_session_key(client, chair_with_device):
    password_login(client, chair_with_device)
    before = client.cookies["sessionid"].value
    device = TOTPDevice.objects.get(user=chair_with_device)
    client.post(reverse("security:two-factor-verify"), {"code": totp_code(device)})
    assert client.cookies["sessionid"].value != before


def test_two_factor_code_cannot_be_used_twice(client, client_factory, chair_with_device):
    device = TOTPDevice.objects.get(user=chair_with_device)
    code = totp_code(device)
    password_login(client, chair_with_device)
    assert client.post(reverse("security:two-factor-verify"), {"code": code}).status_code == 302
    other = client_factory()
    password_login(other, chair_with_device)
    response = other.post(reverse("security:two-factor-verify"), {"code": code})
    assert response.status_code == 400
    assert other.get(reverse("dashboard"))["Location"].startswith(
        reverse("security:two-factor-verify")
    )


def test_two_factor_wrong_codes_are_throttled(client, chair_with_device):
    password_login(client, chair_with_device)
    device = TOTPDevice.objects.get(user=chair_with_device)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    verify = reverse("security:two-factor-verify")
    assert "not right" in client.post(verify, {"code": wrong}).content.decode()
    # Right after a failure even the right code must wait (1, 2, 4 … seconds).
    response = client.post(verify, {"code": totp_code(device)})
    assert response.status_code == 400
    assert "wait" in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_two_factor_verify_ignores_an_offsite_next(client, chair_with_device):
    password_login(client, chair_with_device)
    device = TOTPDevice.objects.get(user=chair_with_device)
    response = client.post(
        reverse("security:two-factor-verify"),
        {"code": totp_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("dashboard")


def test_two_factor_disable_needs_the_password(client, chair_with_device):
    password_login(client, chair_with_device)
    device = TOTPDevice.objects.get(user=chair_with_device)
    client.post(reverse("security:two-factor-verify"), {"code": totp_code(device)})
    disable = reverse("security:two-factor-disable")
    response = client.post(disable, {"password": "not-my-password"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=chair_with_device).exists()
    response = client.post(disable, {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=chair_with_device).exists()
    client.logout()
    password_login(client, chair_with_device)
    assert client.get(reverse("my-data")).status_code == 200


def test_two_factor_disabled_elsewhere_releases_a_waiting_session(
    client, client_factory, chair_with_device
):
    password_login(client, chair_with_device)
    assert client.get(reverse("my-data")).status_code == 302
    TOTPDevice.objects.filter(user=chair_with_device).delete()
    assert client.get(reverse("my-data")).status_code == 200


def test_users_without_a_device_log_in_with_a_password_only(client):
    admin = AdminFactory()
    password_login(client, admin)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.urls("tests.security.urls_without_security")
def test_two_factor_fails_closed_when_its_pages_are_not_routed(client, chair_with_device):
    password_login(client, chair_with_device)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 403
    assert "cannot ask for the code" in response.content.decode()
