from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from expo.conferences.models import FORMAT_MINUTES, Conference, ExpoFormat
from expo.conferences.selectors import conferences_listed


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    conferences = list(conferences_listed())
    for conference in conferences:
        conference.cfp_state_now = conference.cfp_state(now)  # type: ignore[attr-defined]
    return render(request, "conferences/home.html", {"conferences": conferences})


@require_safe
def conference_detail(request: HttpRequest, slug: str) -> HttpResponse:
    conference = get_object_or_404(
        Conference.objects.prefetch_related("topics", "tracks"), slug=slug
    )
    formats = [(label, FORMAT_MINUTES[value]) for value, label in ExpoFormat.choices]
    return render(
        request,
        "conferences/conference_detail.html",
        {
            "conference": conference,
            "cfp_state": conference.cfp_state(),
            "formats": formats,
        },
    )
