"""Template context every page needs: which workspaces the navigation offers."""

from collections.abc import Callable

from django.http import HttpRequest

from expo.conferences.selectors import chairs_anything


def navigation(request: HttpRequest) -> dict[str, Callable[[], bool] | bool]:
    user = request.user
    if not user.is_authenticated:
        return {"nav_reviews": False}

    def chairs_or_admin() -> bool:
        return bool(user.is_superuser or chairs_anything(user=user))

    # Templates call it only where the navigation is drawn, so partials (htmx updates,
    # exports) cost no query.
    return {"nav_reviews": chairs_or_admin}
