"""The proposal check endpoint: the panel's HTML for the text currently in the form.

Called by static/js/insights.js as the sponsor types (debounced) and rendered on page load by
the ``insights_panel`` template tag. It answers with a partial (htmx-style), stores nothing,
and never blocks or changes the proposal form.
"""

import time
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from expo.conferences.models import Conference
from insights.check import check_proposal
from insights.inputs import proposal_text_from_post
from insights.selectors import (
    decided_before_fingerprint,
    decided_proposals_before,
    topics_for_check,
)
from insights.what_worked import what_worked

# Typing with a 600 ms debounce sends a few checks a minute; 60 leaves room for fast editors
# and stops a script from using the endpoint as a free bulk text classifier.
CHECKS_PER_MINUTE = 60
WHAT_WORKED_CACHE_SECONDS = 60 * 60


def check_rate_allows(*, user_id: int, now: float | None = None) -> bool:
    """True while ``user_id`` has made at most CHECKS_PER_MINUTE checks in this minute.

    A fixed one-minute window in Django's cache (per process with the default local-memory
    cache, shared with a shared cache such as Redis).
    """
    window = int((time.time() if now is None else now) // 60)
    key = f"insights:check:{user_id}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= CHECKS_PER_MINUTE


@login_required
@require_POST
def proposal_check(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(Conference, slug=slug)
    user_id = request.user.pk
    assert user_id is not None  # login_required
    context: dict[str, Any] = {"conference": conference}
    if not request.user.has_perm("insights.check_proposal_text", conference):
        response = render(request, "insights/_unavailable.html", context, status=403)
    elif not check_rate_allows(user_id=user_id):
        response = render(request, "insights/_rate_limited.html", context, status=429)
        response["Retry-After"] = "60"
    else:
        text, lengths = proposal_text_from_post(request.POST)
        context["report"] = check_proposal(
            text, topics_for_check(conference=conference), lengths=lengths
        )
        response = render(request, "insights/_report.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def what_worked_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Anonymised patterns of accepted vs rejected proposals of earlier editions.

    Any logged-in user may see it: every figure aggregates 5 or more proposals of conferences
    that started before this one, and nothing names a proposal, sponsor or person.
    """
    conference = get_object_or_404(Conference, slug=slug)
    # Earlier editions' decisions rarely change, and reading every past proposal's text costs
    # seconds at thousands of proposals (docs/insights.md): cache per state of that data.
    fingerprint = decided_before_fingerprint(conference=conference)
    key = f"insights:what-worked:{conference.pk}:{fingerprint}"
    cached = cache.get(key)
    if cached is None:
        records, editions = decided_proposals_before(conference=conference)
        cached = (what_worked(records), editions)
        cache.set(key, cached, timeout=WHAT_WORKED_CACHE_SECONDS)
    report, editions = cached
    return render(
        request,
        "insights/what_worked.html",
        {"conference": conference, "report": report, "editions": editions},
    )
