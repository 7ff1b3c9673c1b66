"""OpenAPI generation: every operation documents the API's error responses."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions

from expo.api.errors import ErrorResponseSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input; nothing was changed.",
    "401": "Not logged in: send a session cookie or `Authorization: Token <key>`.",
    "403": "Logged in, but not allowed to do this.",
    "404": "No such object, or one you may not see.",
    "429": "Too many requests; see the Retry-After header.",
}


class ExpoAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["429"]
        public = all(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()) or (
            self.method == "GET"
            and all(
                isinstance(p, permissions.IsAuthenticatedOrReadOnly)
                for p in self.view.get_permissions()
            )
        )
        if not public:
            codes += ["401", "403"]
        is_list = self.method == "GET" and self._is_list_view()
        # A detail path can name a missing object; a list page number can be past the end.
        if "{" in self.path or (is_list and self._get_paginator() is not None):
            codes.append("404")
        if self.method != "GET" or is_list:
            codes.append("400")
        return codes

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(ErrorResponseSerializer, code)
                response["description"] = ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return dict(sorted(responses.items()))
