"""Liveness and readiness probes for load balancers and orchestrators.

``/healthz``: the process answers. ``/readyz``: the database answers and, when a broker is
configured, the broker accepts a connection. Both are small JSON documents, never cached.
"""

import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure means "not ready"
        return False, type(error).__name__
    return True, "ok"


def _broker_ok() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "eager (no broker configured)"
    from expo.celery import app

    try:
        with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=0, timeout=2)
    except Exception as error:
        return False, type(error).__name__
    return True, "ok"


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    database, database_detail = _database_ok()
    broker, broker_detail = _broker_ok()
    ready = database and broker
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "database": database_detail,
            "broker": broker_detail,
            "seconds": round(time.perf_counter() - started, 4),
        },
        status=200 if ready else 503,
    )
