"""One error format for the whole API: ``{"errors": [{"field", "message", "code"}]}``.

Validation errors from serializers and from our services (Django's ``ValidationError``),
permission and not-found answers, throttling and database constraint failures all come out
in this shape, so a client needs one parser. ``field`` is a dotted path into the request
body (``speakers.1.email``) or null when the error is about the request as a whole.
"""

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class ErrorItemSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(allow_null=True, help_text="Dotted path, or null.")
    message = serializers.CharField()
    code = serializers.CharField()


# The body of every 4xx answer, for the schema only (a field named "errors" would shadow a
# real serializer's ``errors``).
ErrorResponseSerializer = inline_serializer(
    name="ErrorResponse", fields={"errors": ErrorItemSerializer(many=True)}
)


def _constraint_name(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _as_api_exception(exc: Exception) -> exceptions.APIException | None:
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, Http404):
        return exceptions.NotFound(*exc.args)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(serializers.as_serializer_error(exc))
    if isinstance(exc, IntegrityError):
        name = _constraint_name(exc)
        message = "This conflicts with data that exists already; nothing was saved."
        if name:
            message += f" (constraint {name})"
        return exceptions.ValidationError({NON_FIELD: [message]}, code="constraint")
    if isinstance(exc, DataError):
        return exceptions.ValidationError(
            {NON_FIELD: ["A value does not fit the database (too long or out of range)."]},
            code="out_of_range",
        )
    return None


def error_items(detail: Any, path: str | None = None) -> list[dict[str, Any]]:
    """Flatten DRF's nested error detail into a list of ``{field, message, code}``."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            if key in (NON_FIELD, "detail") and path is None:
                items += error_items(value, None)
            else:
                items += error_items(value, f"{path}.{key}" if path else str(key))
        return items
    if isinstance(detail, list):
        items = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                items += error_items(value, f"{path}.{index}" if path else str(index))
            else:
                items += error_items(value, path)
        return items
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": path, "message": str(detail), "code": code}]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's ``EXCEPTION_HANDLER``: every handled error in the one format."""
    api_exc = _as_api_exception(exc)
    if api_exc is None:
        return None  # a real server error: Django's 500 handling and logging
    headers = {}
    if auth_header := getattr(api_exc, "auth_header", None):
        headers["WWW-Authenticate"] = str(auth_header)
    if wait := getattr(api_exc, "wait", None):
        headers["Retry-After"] = str(math.ceil(wait))
    set_rollback()
    return Response(
        {"errors": error_items(api_exc.detail)}, status=api_exc.status_code, headers=headers
    )


class StaleWriteConflict(exceptions.APIException):
    """Someone saved a newer version since the client read its copy (HTTP 409)."""

    status_code = 409
    default_detail = "This was changed since you read it; read it again."
    default_code = "stale"
