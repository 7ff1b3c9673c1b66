"""Every page and action of the review workspace, for every role.

Roles: anonymous, sponsor of the proposal's organisation, sponsor of another organisation,
cochair, conflicted cochair, admin. Refused requests must change nothing.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from reviews.models import AuditEvent, Conflict, Decision, OutboxMessage, Review, ReviewCriterion
from tests.reviews.factories import criteria_of, decide, submit_review, submitted_proposal

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "sponsor", "other_sponsor", "cochair", "insider", "admin"]
LOGIN = "login"  # a redirect to the login page


@dataclass
class World:
    conference: Any
    open: Any  # submitted; reviewed by chair2 only
    decided: Any  # reviewed by both chairs and decided
    users: dict[str, Any]


@pytest.fixture
def world(conference, proposal, sponsor, other_sponsor, chair1, chair2, insider, admin):
    decided = submitted_proposal(
        conference, organisation=proposal.organisation, title="Decided one"
    )
    submit_review(chair2, proposal)
    submit_review(chair1, decided)
    submit_review(chair2, decided)
    decide(chair2, decided, "waitlist")
    proposal.refresh_from_db()
    decided.refresh_from_db()
    users = {
        "anonymous": None,
        "sponsor": sponsor,
        "other_sponsor": other_sponsor,
        "cochair": chair1,
        "insider": insider,
        "admin": admin,
    }
    return World(conference, proposal, decided, users)


def review_post(world: World) -> dict[str, Any]:
    data: dict[str, Any] = {f"score_{c.pk}": "4" for c in criteria_of(world.conference)}
    data.update(
        recommendation="accept",
        confidence="4",
        rationale="Real research with a convincing live demonstration.",
        expected_version="0",
        expected_draft_version="0",
        action="submit",
    )
    return data


def s(w):
    return w.conference.slug


# name: (method, url, data, {role: expected status}); unspecified roles: the default below.
FORBIDDEN = {"anonymous": LOGIN, "sponsor": 403, "other_sponsor": 403}
CASES: dict[str, tuple[str, Any, Any, dict[str, Any]]] = {
    "index": (
        "get",
        lambda w: reverse("reviews:index"),
        None,
        {
            "anonymous": LOGIN,
            "sponsor": 200,
            "other_sponsor": 200,
            "cochair": 302,
            "insider": 302,
            "admin": 302,
        },
    ),
    "dashboard": (
        "get",
        lambda w: reverse("reviews:dashboard", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 200, "admin": 200},
    ),
    "export": (
        "get",
        lambda w: reverse("reviews:export", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 200, "admin": 200},
    ),
    "review page": (
        "get",
        lambda w: reverse("reviews:proposal", args=[s(w), w.open.pk]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 404, "admin": 200},
    ),
    "submit review": (
        "post",
        lambda w: reverse("reviews:proposal", args=[s(w), w.open.pk]),
        review_post,
        {**FORBIDDEN, "cochair": 302, "insider": 404, "admin": 403},
    ),
    "autosave": (
        "post",
        lambda w: reverse("reviews:autosave", args=[s(w), w.open.pk]),
        review_post,
        {**FORBIDDEN, "cochair": 200, "insider": 404, "admin": 403},
    ),
    "attachment": (
        "get",
        lambda w: reverse("reviews:attachment", args=[s(w), w.open.pk]),
        None,
        {**FORBIDDEN, "cochair": 404, "insider": 404, "admin": 404},
    ),
    "declare conflict page": (
        "get",
        lambda w: reverse("reviews:declare-conflict", args=[s(w), w.open.pk]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 404, "admin": 403},
    ),
    "declare conflict": (
        "post",
        lambda w: reverse("reviews:declare-conflict", args=[s(w), w.open.pk]),
        lambda w: {"reason": "I consult for them."},
        {**FORBIDDEN, "cochair": 302, "insider": 404, "admin": 403},
    ),
    "decide page": (
        "get",
        lambda w: reverse("reviews:decide", args=[s(w), w.decided.pk]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 404, "admin": 200},
    ),
    "decide": (
        "post",
        lambda w: reverse("reviews:decide", args=[s(w), w.decided.pk]),
        lambda w: {
            "outcome": "accept",
            "rationale": "A slot freed up.",
            f"version_{w.decided.pk}": "1",
            "confirm_overfill": "on",
        },
        {**FORBIDDEN, "cochair": 302, "insider": 404, "admin": 302},
    ),
    "bulk decide page": (
        "get",
        lambda w: reverse("reviews:bulk-decide", args=[s(w)]) + f"?proposals={w.decided.pk}",
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 302, "admin": 200},
    ),
    "bulk decide": (
        "post",
        lambda w: reverse("reviews:bulk-decide", args=[s(w)]),
        lambda w: {
            "proposals": [w.decided.pk],
            "outcome": "reject",
            "rationale": "Out of room.",
            f"version_{w.decided.pk}": "1",
            "confirm_overfill": "on",
        },
        {**FORBIDDEN, "cochair": 302, "insider": 302, "admin": 302},
    ),
    "calibration": (
        "get",
        lambda w: reverse("reviews:calibration", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 200, "admin": 200},
    ),
    "notifications": (
        "get",
        lambda w: reverse("reviews:notifications", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 200, "admin": 200},
    ),
    "queue e-mails": (
        "post",
        lambda w: reverse("reviews:notifications", args=[s(w)]),
        lambda w: {"proposals": [w.decided.pk]},
        {**FORBIDDEN, "cochair": 302, "insider": 400, "admin": 302},
    ),
    "template page": (
        "get",
        lambda w: reverse("reviews:template-edit", args=[s(w), "accept"]),
        None,
        {**FORBIDDEN, "cochair": 200, "insider": 200, "admin": 200},
    ),
    "edit template": (
        "post",
        lambda w: reverse("reviews:template-edit", args=[s(w), "accept"]),
        lambda w: {"subject": "Good news about {{ proposal }}", "body": "Hello"},
        {**FORBIDDEN, "cochair": 302, "insider": 302, "admin": 302},
    ),
    "conflicts page": (
        "get",
        lambda w: reverse("reviews:conflicts", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 403, "insider": 403, "admin": 200},
    ),
    "add conflict": (
        "post",
        lambda w: reverse("reviews:conflicts", args=[s(w)]),
        lambda w: {
            "action": "add",
            "user": w.users["cochair"].pk,
            "proposal": w.open.pk,
            "reason": "Co-author.",
        },
        {**FORBIDDEN, "cochair": 403, "insider": 403, "admin": 302},
    ),
    "settings page": (
        "get",
        lambda w: reverse("reviews:settings", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 403, "insider": 403, "admin": 200},
    ),
    "change settings": (
        "post",
        lambda w: reverse("reviews:settings", args=[s(w)]),
        lambda w: {
            "action": "settings",
            "required_reviews": "3",
            "score_scale_max": "5",
            "disagreement_points": "1.5",
        },
        {**FORBIDDEN, "cochair": 403, "insider": 403, "admin": 302},
    ),
    "audit": (
        "get",
        lambda w: reverse("reviews:audit", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 403, "insider": 403, "admin": 200},
    ),
    "audit export": (
        "get",
        lambda w: reverse("reviews:audit-export", args=[s(w)]),
        None,
        {**FORBIDDEN, "cochair": 403, "insider": 403, "admin": 200},
    ),
}


def state() -> tuple[Any, ...]:
    return (
        list(Review.objects.values_list("pk", "version", "draft_version")),
        list(Decision.objects.values_list("pk", "outcome", "version")),
        Conflict.objects.count(),
        OutboxMessage.objects.count(),
        list(ReviewCriterion.objects.values_list("pk", "name")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_permission(client, world, case, role):
    method, url_fn, data_fn, expected_by_role = CASES[case]
    expected = expected_by_role[role]
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    before = state()
    url = url_fn(world)
    data = data_fn(world) if data_fn else None
    response = (
        getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
    )
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, response.content.decode()[:500]
    succeeded = expected in (200, 302) and method == "post" and expected != LOGIN
    refused_or_read = not succeeded or (case == "bulk decide" and role == "insider")
    if refused_or_read:
        assert state() == before, f"{case} by {role} changed data"
