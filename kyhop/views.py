"""Project-level views: health, liveness and readiness probes; the site icon."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

from kyhop.probes import readiness


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the process is up and the database answers (no secrets, no details)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database_ok = True
    except Exception:  # the probe must answer 503, not 500, whatever the driver raises
        database_ok = False
    status = 200 if database_ok else 503
    return JsonResponse(
        {"status": "ok" if database_ok else "degraded", "database": database_ok}, status=status
    )


_FAVICON = settings.BASE_DIR / "static" / "img" / "favicon.ico"


@require_GET
@cache_control(public=True, max_age=7 * 24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, PDFs, JSON)."""
    return HttpResponse(_FAVICON.read_bytes(), content_type="image/x-icon")


@require_GET
@never_cache
async def livez(request: HttpRequest) -> JsonResponse:
    """Liveness of an ASGI worker: answered on the event loop itself, touching nothing else.

    A worker whose loop is blocked (a sync call gone wrong, a stuck fan-out) does not answer,
    and the orchestrator restarts it; a database outage must not restart every worker, so
    this probe does not ask the database (``/healthz`` and ``/readyz`` do).
    """
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
async def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, the shared cache and the channel layer all answer (503 if not).

    The proxy or orchestrator stops sending traffic to a worker that is not ready; it is not
    restarted for it (that is ``/livez``'s job).
    """
    checks = await readiness()
    ready = all(checks.values())
    return JsonResponse(
        {"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503
    )
