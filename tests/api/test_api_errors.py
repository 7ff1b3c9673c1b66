import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from expo.api.errors import exception_handler
from expo.sponsors.models import Organisation
from tests.factories import ConferenceFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_database_constraint_error_is_a_400_naming_nothing_saved():
    existing = OrganisationFactory()
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        Organisation.objects.create(name=existing.name, slug="another-slug", tier="gold")
    response = exception_handler(caught.value, {})
    assert response is not None
    assert response.status_code == 400
    (error,) = response.data["errors"]
    assert error["field"] is None
    assert error["code"] == "constraint"
    assert "nothing was saved" in error["message"]


def test_throttled_requests_get_429_with_retry_after(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": None})
    ConferenceFactory()
    client = APIClient()
    statuses = [client.get("/api/v1/conferences/").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/conferences/")
    assert int(response["Retry-After"]) > 0
    (error,) = response.json()["errors"]
    assert error["code"] == "throttled"
    assert error["field"] is None


def test_unauthenticated_and_not_found_errors_share_the_format():
    client = APIClient()
    unauthenticated = client.get("/api/v1/organisations/").json()
    assert unauthenticated["errors"][0]["code"] == "not_authenticated"
    missing = client.get("/api/v1/conferences/no-such-conference/").json()
    assert missing["errors"][0]["code"] == "not_found"


def test_malformed_json_is_a_400_in_the_format(api):
    response = api.generic(
        "POST", "/api/v1/proposals/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_form_encoded_bodies_are_refused_with_a_415(api):
    response = api.post("/api/v1/proposals/", {"title": "x"})
    assert response.status_code == 415
    assert response.json()["errors"][0]["code"] == "unsupported_media_type"
