# ruff: noqa: E501  -- the matrix reads best as one route per line
"""The permission matrix: every route the project has, requested by every role.

Roles: anonymous, a member of sponsor A, a member of sponsor B, a cochair, a cochair
conflicted with A's proposal (their e-mail domain is A's), and an admin. Each (route, method,
role) has an expected answer below, and every answer is also searched for confidential text:
A's proposal never reaches B, the conflicted cochair or anonymous visitors; B's never reaches A
or anonymous visitors (see ``World.forbidden_markers``).

A route without an entry fails the test by name: add the route here when you add it to the
project, with the outcome you intend for each role.

Outcomes, one token per role in the order of ``ROLES``: a status code; ``L`` for a redirect to
the login page; ``R`` for any other redirect; ``AL`` for a redirect to the admin's login.
Writes (POST/PUT/PATCH/DELETE) are sent with an empty body inside a transaction that is rolled
back, so a role that may write answers with its validation error (400/200) and changes nothing.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse
from rest_framework.throttling import SimpleRateThrottle

from tests.security.matrix_support import (
    Answer,
    RoleClients,
    admin_login_redirect,
    login_redirect,
    request_as,
    routes,
)
from tests.security.world import ROLES, World, build_world

Kwargs = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Door:
    """The expected answers of one route: ``methods`` maps a method to six outcomes."""

    methods: dict[str, str]
    kwargs: Kwargs = field(default=lambda w: {})
    query: str = ""


def conf(w: World) -> dict[str, Any]:
    return {"slug": w.conference.slug}


def conf_pa(w: World) -> dict[str, Any]:
    return {"slug": w.conference.slug, "pk": w.proposal_a.pk}


def pa(w: World) -> dict[str, Any]:
    return {"pk": w.proposal_a.pk}


def org_a(w: World) -> dict[str, Any]:
    return {"slug": w.org_a.slug}


def api_conf(w: World) -> dict[str, Any]:
    return {"conference_slug": w.conference.slug}


def api_conf_pa(w: World) -> dict[str, Any]:
    return {"conference_slug": w.conference.slug, "pk": w.proposal_a.pk}


def version(w: World) -> dict[str, Any]:
    return {"slug": w.conference.slug, "number": w.version.number}


def model_version(w: World) -> dict[str, Any]:
    return {"slug": w.conference.slug, "version": 1}


def stage(w: World) -> dict[str, Any]:
    return {"slug": w.conference.slug, "stage": "accepted"}


# Rows used by many routes.
PUBLIC = "200 200 200 200 200 200"
NOT_ALLOWED = "405 405 405 405 405 405"
LOGIN_NOT_ALLOWED = "L 405 405 405 405 405"
ANY_USER = "L 200 200 200 200 200"
API_PUBLIC_READ = {
    "get": PUBLIC,
    "post": NOT_ALLOWED,
    "put": NOT_ALLOWED,
    "patch": NOT_ALLOWED,
    "delete": NOT_ALLOWED,
}
API_NOT_ALLOWED = "401 405 405 405 405 405"
# The review API: sponsors are refused for the conference before the method is looked at.
CHAIR_API_NOT_ALLOWED = "401 403 403 405 405 405"


def chair_api(**rows: str) -> dict[str, str]:
    methods = dict.fromkeys(("get", "post", "put", "patch", "delete"), CHAIR_API_NOT_ALLOWED)
    methods.update(rows)
    return methods


def api(**rows: str) -> dict[str, str]:
    methods = dict.fromkeys(("get", "post", "put", "patch", "delete"), API_NOT_ALLOWED)
    methods.update(rows)
    return methods


# fmt: off
DOORS: dict[str, Door] = {
    # --- health, home and conference pages (public) ---
    "healthz": Door({"get": PUBLIC, "post": NOT_ALLOWED}),
    "readyz": Door({"get": PUBLIC, "post": NOT_ALLOWED}),
    "home": Door({"get": PUBLIC, "post": NOT_ALLOWED}),
    "conference-detail": Door({"get": PUBLIC, "post": NOT_ALLOWED}, conf),
    # --- accounts ---
    "login": Door({"get": "200 R R R R R", "post": "200 R R R R R"}),
    "logout": Door({"get": NOT_ALLOWED, "post": "R R R R R R"}),
    "signup": Door({"get": "200 R R R R R", "post": "400 R R R R R"}),
    "my-data": Door({"get": ANY_USER, "post": "L 400 400 400 400 400"}),
    "my-data-export": Door({"get": ANY_USER, "post": ANY_USER}),
    "password_change": Door({"get": ANY_USER, "post": ANY_USER}),
    "password_change_done": Door({"get": ANY_USER, "post": LOGIN_NOT_ALLOWED}),
    "password_reset": Door({"get": PUBLIC, "post": PUBLIC}),
    "password_reset_done": Door({"get": PUBLIC, "post": NOT_ALLOWED}),
    "password_reset_confirm": Door(
        {"get": PUBLIC, "post": PUBLIC},
        lambda w: {"uidb64": w.extra["uidb64"], "token": w.extra["reset_token"]},
    ),
    "password_reset_complete": Door({"get": PUBLIC, "post": NOT_ALLOWED}),
    # --- account security (expo.security) ---
    "security:overview": Door({"get": ANY_USER, "post": LOGIN_NOT_ALLOWED}),
    # Sponsors are not offered two-factor login; chairs and admins are.
    # A POST before the set-up page was shown has no pending secret: back to the page.
    # The admin's is pending, so the admin gets the form's error instead.
    "security:two-factor-setup": Door({"get": "L 403 403 200 200 200", "post": "L 403 403 R R 400"}),
    # Only the admin has begun setting up an authenticator in this world.
    "security:two-factor-qr": Door({"get": "L 404 404 404 404 200", "post": LOGIN_NOT_ALLOWED}),
    # Users without a device have nothing to verify and are sent on.
    "security:two-factor-verify": Door({"get": "L R R R R R", "post": "L R R R R R"}),
    "security:two-factor-disable": Door({"get": ANY_USER, "post": "L 400 400 400 400 400"}),
    "security:logout-everywhere": Door({"get": LOGIN_NOT_ALLOWED, "post": "L R R R R R"}),
    "security:api-token": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 400 400 400 400 400"}),
    # --- sponsors: organisations, invitations, proposals ---
    "organisation-create": Door({"get": ANY_USER, "post": "L 400 400 400 400 400"}),
    # Admins run the site and may open any organisation; other sponsors and chairs get 404.
    "organisation-detail": Door({"get": "L 200 404 404 404 200", "post": "L 200 404 404 404 200"}, org_a),
    "organisation-edit": Door({"get": "L 200 404 404 404 200", "post": "L 400 404 404 404 400"}, org_a),
    "organisation-invite": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 400 404 404 404 400"}, org_a),
    # Removing A's owner: the last owner cannot leave, so the owner's own request is refused
    # with a message (R); the membership is not found in another organisation's context.
    "membership-remove": Door(
        {"get": LOGIN_NOT_ALLOWED, "post": "L R 404 404 404 R"},
        lambda w: {"slug": w.org_a.slug, "membership_id": w.membership_a.pk},
    ),
    # The token is the permission: whoever holds the link sees whom it invites.
    "invitation-accept": Door({"get": "L 200 200 200 200 200", "post": "L 200 200 200 200 200"},
                              lambda w: {"token": w.invitation_token}),
    "dashboard": Door({"get": ANY_USER, "post": LOGIN_NOT_ALLOWED}),
    # A's proposal: only A's members; even admins use the review workspace instead.
    "proposal-detail": Door({"get": "L 200 404 404 404 404", "post": "L 200 404 404 404 404"}, pa),
    # Under review: no more edits; A's member is sent back to the proposal with the reason.
    "proposal-edit": Door({"get": "L R 404 404 404 404", "post": "L R 404 404 404 404"}, pa),
    "proposal-submit": Door({"get": LOGIN_NOT_ALLOWED, "post": "L R 404 404 404 404"}, pa),
    "proposal-withdraw": Door({"get": "L 200 404 404 404 404", "post": "L R 404 404 404 404"}, pa),
    "proposal-attachment": Door({"get": "L 200 404 404 404 404", "post": "L 200 404 404 404 404"}, pa),
    # Users without an organisation are sent to create one first.
    "proposal-create": Door({"get": "L 200 200 R R R", "post": "L 400 400 R R R"}, conf),
    # --- review workspace ---
    "reviews:index": Door({"get": "L 200 200 R R R", "post": LOGIN_NOT_ALLOWED}),
    "reviews:dashboard": Door({"get": "L 403 403 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "reviews:export": Door({"get": "L 403 403 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "reviews:proposal": Door({"get": "L 403 403 200 404 200", "post": "L 403 403 400 404 400"}, conf_pa),
    "reviews:autosave": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 403 403 400 404 400"}, conf_pa),
    "reviews:attachment": Door({"get": "L 403 403 200 404 200", "post": LOGIN_NOT_ALLOWED}, conf_pa),
    # Admins are not chairs: they rule on conflicts on the conflicts page instead.
    "reviews:declare-conflict": Door({"get": "L 403 403 200 404 403", "post": "L 403 403 400 404 403"}, conf_pa),
    "reviews:decide": Door({"get": "L 403 403 200 404 200", "post": "L 403 403 400 404 400"}, conf_pa),
    # Without a selection the bulk decision goes back to the dashboard.
    "reviews:bulk-decide": Door({"get": "L 403 403 R R R", "post": "L 403 403 R R R"}, conf),
    "reviews:calibration": Door({"get": "L 403 403 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "reviews:conflicts": Door({"get": "L 403 403 403 403 200", "post": "L 403 403 403 403 400"}, conf),
    "reviews:settings": Door({"get": "L 403 403 403 403 200", "post": "L 403 403 403 403 200"}, conf),
    "reviews:notifications": Door({"get": "L 403 403 200 200 200", "post": "L 403 403 400 400 400"}, conf),
    "reviews:template-edit": Door({"get": "L 403 403 200 200 200", "post": "L 403 403 400 400 400"},
                                  lambda w: {"slug": w.conference.slug, "outcome": "accept"}),
    "reviews:audit": Door({"get": "L 403 403 403 403 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "reviews:audit-export": Door({"get": "L 403 403 403 403 200", "post": LOGIN_NOT_ALLOWED}, conf),
    # --- scheduling: admins change, cochairs look, sponsors state availability ---
    "scheduling:availability": Door({"get": "L 200 404 404 404 200", "post": "L 200 404 404 404 200"}, pa),
    "scheduling:overview": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "scheduling:venue": Door({"get": "L 404 404 200 200 200", "post": "L 404 404 403 403 R"}, conf),
    "scheduling:tracks": Door({"get": "L 404 404 200 200 200", "post": "L 404 404 403 403 R"}, conf),
    "scheduling:track-choose": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 R R R"},
                                    lambda w: {"slug": w.conference.slug, "pk": w.scheduled.pk}),
    "scheduling:solve": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 404 404 R"}, conf),
    "scheduling:compare": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf, "?a=1&b=2"),
    "scheduling:version": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, version),
    "scheduling:version-status": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, version),
    "scheduling:version-retry": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 404 404 R"}, version),
    "scheduling:version-publish": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 404 404 R"}, version),
    "scheduling:version-copy": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 404 404 R"}, version),
    "scheduling:grid": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, version),
    "scheduling:grid-edit": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 404 404 R"}, version),
    # The published schedule is public.
    "schedule-public": Door({"get": PUBLIC, "post": NOT_ALLOWED}, conf),
    "schedule-public-track": Door({"get": PUBLIC, "post": NOT_ALLOWED},
                                  lambda w: {"slug": w.conference.slug, "track_pk": w.talks.pk}),
    "schedule-session": Door({"get": PUBLIC, "post": NOT_ALLOWED},
                             lambda w: {"slug": w.conference.slug, "pk": w.scheduled.pk}),
    "schedule-xml": Door({"get": PUBLIC, "post": NOT_ALLOWED}, conf),
    "schedule-json": Door({"get": PUBLIC, "post": NOT_ALLOWED}, conf),
    "schedule-ics": Door({"get": PUBLIC, "post": NOT_ALLOWED}, conf),
    # --- insights: any logged-in user while the call is open ---
    "insights:check": Door({"get": LOGIN_NOT_ALLOWED, "post": ANY_USER}, conf),
    "insights:what-worked": Door({"get": ANY_USER, "post": LOGIN_NOT_ALLOWED}, conf),
    # --- fairness dashboard: cochairs and admins; everyone else 404 ---
    "fairness:index": Door({"get": "L 404 404 R R R", "post": LOGIN_NOT_ALLOWED}),
    "fairness:dashboard": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "fairness:refresh": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 R R R"}, conf),
    "fairness:stage": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, stage),
    # Every slice of this small world is below the privacy minimum: no drill-down (404).
    "fairness:drilldown": Door({"get": "L 404 404 404 404 404", "post": LOGIN_NOT_ALLOWED}, stage,
                               "?attribute=tier&value=gold"),
    "fairness:export-csv": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, stage),
    "fairness:export-json": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, stage),
    "fairness:chart": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED},
                           lambda w: {"slug": w.conference.slug, "stage": "accepted",
                                      "kind": "rates", "group": "tier"}),
    # --- relevance model pages: cochairs and admins look, admins change; others 404 ---
    "ranking:index": Door({"get": "L 404 404 R R R", "post": LOGIN_NOT_ALLOWED}),
    "ranking:monitoring": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "ranking:analysis": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED}, conf),
    "ranking:chart": Door({"get": "L 404 404 200 200 200", "post": LOGIN_NOT_ALLOWED},
                          lambda w: {"slug": w.conference.slug, "kind": "drift"}),
    # No model version exists in this world: 404 for those who may look, as for others.
    "ranking:version": Door({"get": "L 404 404 404 404 404", "post": LOGIN_NOT_ALLOWED}, model_version),
    "ranking:compare": Door({"get": "L 404 404 404 404 404", "post": LOGIN_NOT_ALLOWED}, model_version),
    "ranking:promote": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 403 403 404"}, model_version),
    "ranking:shadow": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 403 403 404"}, model_version),
    "ranking:rollback": Door({"get": LOGIN_NOT_ALLOWED, "post": "L 404 404 403 403 R"}, conf),
    # --- API ---
    "api-schema": Door({"get": PUBLIC, "post": NOT_ALLOWED}),
    "api-docs": Door({"get": PUBLIC, "post": NOT_ALLOWED}),
    "api:api-root": Door({"get": PUBLIC, "post": API_NOT_ALLOWED}),
    "api:conference-list": Door(API_PUBLIC_READ),
    "api:conference-detail": Door(API_PUBLIC_READ, conf),
    "api:conference-schedule": Door(API_PUBLIC_READ, conf),
    "api:topic-list": Door(API_PUBLIC_READ),
    "api:topic-detail": Door(API_PUBLIC_READ, lambda w: {"pk": w.conference.topics.first().pk}),
    "api:track-list": Door(API_PUBLIC_READ),
    "api:track-detail": Door(API_PUBLIC_READ, lambda w: {"pk": w.talks.pk}),
    # Lists are everyone's own organisations/proposals (possibly none); anything else is 404.
    "api:organisation-list": Door(api(get=ANY_USER.replace("L", "401"), post="401 400 400 400 400 400")),
    "api:organisation-detail": Door(api(get="401 200 404 404 404 404", put="401 400 404 404 404 404",
                                        patch="401 200 404 404 404 404"), org_a),
    "api:organisation-members": Door(api(get="401 200 404 404 404 404"), org_a),
    "api:organisation-invite": Door(api(post="401 400 404 404 404 404"), org_a),
    # Removing the last owner is refused with a message (400).
    "api:organisation-member-remove": Door(
        api(delete="401 400 404 404 404 404"),
        lambda w: {"slug": w.org_a.slug, "membership_id": w.membership_a.pk},
    ),
    "api:proposal-list": Door(api(get=ANY_USER.replace("L", "401"), post="401 400 400 400 400 400")),
    # Under review: A's member may not change it (403 with the reason) but may withdraw.
    "api:proposal-detail": Door(api(get="401 200 404 404 404 404", put="401 403 404 404 404 404",
                                    patch="401 403 404 404 404 404"), pa),
    "api:proposal-submit": Door(api(post="401 403 404 404 404 404"), pa),
    "api:proposal-withdraw": Door(api(post="401 200 404 404 404 404"), pa),
    "api:review-proposal-list": Door(chair_api(get="401 403 403 200 200 200"), api_conf),
    "api:review-proposal-detail": Door(chair_api(get="401 403 403 200 404 200"), api_conf_pa),
    "api:review-proposal-reviews": Door(chair_api(get="401 403 403 200 404 200"), api_conf_pa),
    "api:review-proposal-review": Door(chair_api(post="401 403 403 400 404 400"), api_conf_pa),
    # Declaring is for chairs: the admin is refused (403), the conflicted chair does not see it.
    "api:review-proposal-conflict": Door(chair_api(post="401 403 403 204 404 403"), api_conf_pa),
    "api:review-proposal-decision": Door(chair_api(post="401 403 403 400 404 400"), api_conf_pa),
    "api:review-proposal-relevance": Door(chair_api(get="401 403 403 200 404 200"), api_conf_pa),
    "api:review-conflicts": Door(api(get="401 403 403 403 403 200"), api_conf),
    "api:fairness-report": Door(api(get="401 404 404 200 200 200"),
                                lambda w: {"conference_slug": w.conference.slug, "stage": "accepted"}),
}
# fmt: on


def judge(expected: str, answer: Answer) -> str | None:
    """None if ``answer`` is the ``expected`` outcome, else what differs."""
    if expected == "L":
        ok = answer.status == 302 and login_redirect(answer.location)
    elif expected == "AL":
        ok = answer.status == 302 and admin_login_redirect(answer.location)
    elif expected == "R":
        ok = answer.status in (302, 303) and not login_redirect(answer.location)
    else:
        ok = answer.status == int(expected)
    if ok:
        return None
    got = f"{answer.status}" + (f" → {answer.location}" if answer.location else "")
    return f"expected {expected}, got {got}"


def _check(
    world: World, clients: RoleClients, name: str, url: str, method: str, row: str
) -> list[str]:
    outcomes = row.split()
    assert len(outcomes) == len(ROLES), f"{name} {method}: one outcome per role, got {row!r}"
    problems = []
    for role, expected in zip(ROLES, outcomes, strict=True):
        answer = request_as(clients, role, method, url)
        if (wrong := judge(expected, answer)) is not None:
            problems.append(f"{method.upper()} {url} as {role}: {wrong}")
        for marker in world.forbidden_markers(role):
            if marker in answer.body:
                problems.append(f"LEAK {method.upper()} {url} as {role}: contains {marker!r}")
    return problems


@pytest.fixture
def world(db, monkeypatch):
    # Thousands of requests in a few seconds: the API's throttling would answer 429.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": None, "user": None})
    return build_world()


def test_permission_matrix_has_an_entry_for_every_route():
    names = {route.name for route in routes() if not route.is_admin}
    missing = sorted(names - DOORS.keys())
    assert not missing, (
        "Routes without an entry in the permission matrix (tests/security/"
        f"test_permission_matrix.py DOORS): {', '.join(missing)}"
    )
    stale = sorted(DOORS.keys() - names)
    assert not stale, f"Matrix entries for routes that no longer exist: {', '.join(stale)}"


@pytest.mark.slow
def test_permission_matrix_every_route_and_role(world):
    problems: list[str] = []
    checked = 0
    clients = RoleClients(world)
    for route in routes():
        if route.is_admin or route.name not in DOORS:
            continue
        door = DOORS[route.name]
        url = reverse(route.name, kwargs=door.kwargs(world)) + door.query
        for method, row in door.methods.items():
            problems += _check(world, clients, route.name, url, method, row)
            checked += len(ROLES)
    print(f"permission matrix: {checked} (route, method, role) requests checked")
    assert not problems, "\n".join(problems)


def _admin_kwargs(world: World, name: str, pattern: str) -> tuple[dict[str, Any], bool]:
    """Arguments for an admin URL, and whether they name an existing object (else a made-up
    id, which is enough to see that non-staff users are turned away before any lookup)."""
    kwargs: dict[str, Any] = {}
    exists = True
    if "app_label" in pattern:
        kwargs["app_label"] = "accounts"
    if "content_type_id" in pattern:
        from django.contrib.contenttypes.models import ContentType

        kwargs["content_type_id"] = ContentType.objects.get_for_model(world.org_a).pk
        kwargs["object_id"] = world.org_a.pk
        return kwargs, exists
    by_pk = re.search(r"<(?:\w+:)?pk>", pattern) is not None
    if "object_id" in pattern or by_pk:
        model = _admin_model(name)
        first = model._default_manager.order_by("pk").first() if model is not None else None
        exists = first is not None
        kwargs["pk" if by_pk else "object_id"] = first.pk if first is not None else 999_999
    if re.search(r"<(?:\w+:)?id>", pattern):
        kwargs["id"] = world.users["admin"].pk
    return kwargs, exists


def _admin_model(name: str) -> Any:
    stem = name.split(":", 1)[1]
    for model in apps.get_models():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if stem.startswith(prefix):
            return model
    return None


# Admin pages that answer without staff rights by design.
ADMIN_OPEN = {"admin:login", "admin:logout", "admin:jsi18n"}


@pytest.mark.slow
def test_every_admin_url_needs_staff_and_admins_open_each_model(world):
    problems: list[str] = []
    checked = 0
    admin_sample = 0
    skipped: list[str] = []
    clients = RoleClients(world)
    for route in routes():
        if not route.is_admin or route.name in ADMIN_OPEN:
            continue
        exists = True
        if route.name == route.pattern:  # the admin's unnamed catch-all pattern
            url = "/admin/no-such-page/"
        else:
            kwargs, exists = _admin_kwargs(world, route.name, route.pattern)
            url = reverse(route.name, kwargs=kwargs)
        for role in ROLES[:-1]:
            answer = request_as(clients, role, "get", url)
            checked += 1
            if (wrong := judge("AL", answer)) is not None:
                problems.append(f"GET {url} as {role}: {wrong}")
        # Admins: every list and change page of every model (deletion pages only confirm).
        if not exists:
            skipped.append(route.name)
        elif route.name.endswith(("_changelist", "_change")):
            answer = request_as(clients, "admin", "get", url)
            admin_sample += 1
            if answer.status != 200:
                problems.append(f"GET {url} as admin: expected 200, got {answer.status}")
    print(
        f"admin: {checked} non-staff requests, {admin_sample} admin pages checked; "
        f"no object for admins to open at {len(skipped)} URLs"
    )
    assert checked > 100
    assert not problems, "\n".join(problems)
