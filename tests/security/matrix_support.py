"""Walking the URL patterns and requesting them as one role, for the permission matrix."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.security.world import World


@dataclass(frozen=True)
class Route:
    name: str  # namespace-qualified URL name
    pattern: str  # the full pattern, for messages
    is_admin: bool


def routes() -> Iterator[Route]:
    """Every URL pattern the project routes, with its qualified name."""

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[Route]:
        for item in resolver.url_patterns:
            if isinstance(item, URLResolver):
                ns = f"{namespace}{item.namespace}:" if item.namespace else namespace
                yield from walk(item, prefix + str(item.pattern), ns)
            else:
                assert isinstance(item, URLPattern)
                full = prefix + str(item.pattern)
                name = f"{namespace}{item.name}" if item.name else full
                yield Route(name=name, pattern=full, is_admin=namespace.startswith("admin:"))

    yield from walk(get_resolver(), "", "")


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str


def response_text(response: object) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content  # type: ignore[attr-defined]
    return content.decode("utf-8", errors="replace")


class RoleClients:
    """One logged-in client per role, replaced when a request ended its session (logout)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self._clients: dict[str, tuple[Client, str]] = {}

    def get(self, role: str) -> Client:
        if role in self._clients:
            client, session_key = self._clients[role]
            cookie = client.cookies.get("sessionid")
            if session_key == (cookie.value if cookie else ""):
                return client
        client = Client(raise_request_exception=False)
        user = self.world.users[role]
        if user is not None:
            client.force_login(user)
        cookie = client.cookies.get("sessionid")
        self._clients[role] = (client, cookie.value if cookie else "")
        return client


def request_as(clients: RoleClients, role: str, method: str, url: str) -> Answer:
    """One request by ``role``, in a transaction rolled back afterwards, so that a write the
    role may make changes nothing for the next door."""
    client = clients.get(role)
    # The API reads JSON; pages read forms. An empty body: a role that may act gets its own
    # validation errors (400), one that may not gets its refusal.
    options = (
        {"data": "{}", "content_type": "application/json"}
        if url.startswith("/api/") and method != "get"
        else {}
    )
    with transaction.atomic():
        response = getattr(client, method)(url, **options)
        body = response_text(response)
        transaction.set_rollback(True)
    return Answer(response.status_code, response.get("Location", ""), body)


def login_redirect(location: str) -> bool:
    return bool(re.match(r"^/accounts/login/\?next=", location))


def admin_login_redirect(location: str) -> bool:
    return bool(re.match(r"^/admin/login/\?next=", location))
