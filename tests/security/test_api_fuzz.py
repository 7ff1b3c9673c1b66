"""Property-based fuzzing of the API from its own OpenAPI schema (schemathesis).

For every operation in /api/schema/, schemathesis generates requests that fit the schema —
half of them aimed at real objects (the sponsor's organisation and proposal, the conference),
half with generated path parameters — and sends them through Django's WSGI application with a
sponsor's and a cochair's API token. Every answer must be something other than a server error,
and every answer must be documented: its status code in the schema, its body matching the
documented shape. Nothing is downloaded; the schema comes from the app itself.

``EXPO_FUZZ_EXAMPLES`` sets the examples per operation and role (default 8); with
``EXPO_FUZZ_RANDOM=1`` each run draws new examples (``make fuzz``), else they are the same.
"""

import os
from collections import Counter
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.world import World, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = int(os.environ.get("EXPO_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_app(monkeypatch, tmp_path):
    """Django's WSGI application, sharing the test's database transaction: like Django's own
    test client, it must not close the connection at the end of each request."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})
    # Hypothesis keeps caches on disk; not in the working tree.
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    set_hypothesis_home_dir(None)


def real_path_parameters(world: World, path: str) -> dict[str, Any]:
    """Path parameters naming objects that exist (and that the sponsor of A may act on)."""
    values: dict[str, Any] = {
        "conference_slug": world.conference.slug,
        "id": world.proposal_a.pk,
        "membership_id": world.membership_a.pk,
        "stage": "accepted",
    }
    values["slug"] = (
        world.org_a.slug if path.startswith("/api/v1/organisations") else (world.conference.slug)
    )
    return values


def _summary(problem: BaseException) -> str:
    lines = [line.strip() for line in str(problem).splitlines() if line.strip()]
    where = [line for line in lines if line.startswith("Schema at")]
    return " ".join(lines[:2] + where[:1]) or type(problem).__name__


def fuzz(schema: Any, world: World, token: str, statuses: Counter[int]) -> list[str]:
    failures: list[str] = []
    headers = {"Authorization": f"Token {token}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.path_parameters}
        real = {k: v for k, v in real_path_parameters(world, operation.path).items() if k in names}
        # Requests that fit the schema and requests that break it (wrong types, missing or
        # extra fields), each with generated and with real path parameters.
        strategies = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode))
            if real:
                strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=real))

        @hypothesis.settings(
            max_examples=EXAMPLES,
            database=None,
            deadline=None,
            # Deterministic in the test suite; ``make fuzz`` explores new examples each run.
            derandomize=not os.environ.get("EXPO_FUZZ_RANDOM"),
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=st.one_of(strategies))
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as error:  # failed checks: collect
                for problem in getattr(error, "exceptions", [error]):
                    failures.append(
                        f"{case.method} {case.operation.path} → {response.status_code}: "
                        + _summary(problem)
                    )

        run()
    return failures


def test_api_fuzz_finds_no_server_errors_and_only_documented_answers(wsgi_app):
    world = build_world()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    for role in ("sponsor_a", "cochair"):
        user = world.users[role]
        token = Token.objects.create(user=user).key
        failures += fuzz(schema, world, token, statuses)
    total = sum(statuses.values())
    print(f"fuzz: {total} requests, statuses {dict(sorted(statuses.items()))}")
    assert total >= EXAMPLES * 20
    assert statuses[500] == 0
    assert not failures, "\n".join(sorted(set(failures)))
