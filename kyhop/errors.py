"""Our own Vietnamese error pages (templates/400.html, 403.html, 404.html, 500.html), in
development too.

With DEBUG off Django already renders those templates. With DEBUG on it shows its technical
pages instead (English, with the URL patterns and the traceback), which is what a clerk testing
a development server would meet; this middleware renders ours there as well. Developers who want
the technical pages set ``KYHOP_TECHNICAL_ERROR_PAGES=1``; the traceback of a 500 is logged
either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader

logger = logging.getLogger("django.request")


def _active() -> bool:
    return settings.DEBUG and not settings.KYHOP_TECHNICAL_ERROR_PAGES


def not_found_page(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", {"request_path": request.path}, status=404)


def server_error_page() -> HttpResponse:
    # Like Django's handler500: no request context, so a broken database or session cannot
    # break the error page itself.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


class ErrorPageMiddleware:
    """Innermost middleware: sees the exceptions of views (process_exception) and the 404 of a
    URL no pattern matched (the response comes back without a resolver match)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 404 and request.resolver_match is None and _active():
            return not_found_page(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not _active():
            return None
        if isinstance(exception, Http404):
            return not_found_page(request)
        if isinstance(exception, PermissionDenied):
            return None  # Django renders 403.html in every mode
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return server_error_page()
