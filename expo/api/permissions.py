"""API permissions ask the same django-rules table as the pages (expo/rules.py)."""

from typing import Any

from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.views import APIView


class RulesPermission(permissions.BasePermission):
    """Logged-in users only; each object action asks ``user.has_perm(perm, obj)``.

    The view names the permission per action in ``object_perms`` (``{"update":
    "proposals.change_proposal"}``) and may explain a refusal in ``permission_denied_detail``.
    Objects the user may not even see never get here: the view's queryset leaves them out,
    so they answer 404 like a missing object.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        perm = getattr(view, "object_perms", {}).get(getattr(view, "action", None))
        if perm is None or request.user.has_perm(perm, obj):
            return True
        explain = getattr(view, "permission_denied_detail", None)
        if explain is not None:
            raise exceptions.PermissionDenied(explain(perm, obj))
        return False
