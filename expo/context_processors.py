"""Template context every page needs: which workspaces the navigation offers."""

from collections.abc import Callable

from django.http import HttpRequest

from expo.conferences.models import ConferenceChair


def navigation(request: HttpRequest) -> dict[str, Callable[[], bool] | bool]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_reviews": False}

    def chairs_or_admin() -> bool:
        return bool(user.is_superuser or ConferenceChair.objects.filter(user_id=user.pk).exists())

    # Templates call it only where the navigation is drawn, so partials (htmx updates,
    # exports) cost no query.
    return {"nav_reviews": chairs_or_admin}
