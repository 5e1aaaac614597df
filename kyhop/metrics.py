"""Prometheus metrics: request times, live sockets, fan-out times, task queue length.

django-prometheus would give the request metrics, but its releases pin Django below 6.1; the
part we need is a middleware and a view over ``prometheus_client``, kept here.

Several uvicorn workers on one port: a scrape reaches one of them, so set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory (cleared before the server starts) and
every worker writes its samples there; ``/metrics`` then adds them up (``prometheus_client``'s
multiprocess mode; gauges say how: live sockets are summed over live workers).

The live hub (``meetings.live``) calls ``live_sockets_set`` and ``fanout_observed``; they cost
a few microseconds, nothing next to a fan-out.
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import REGISTRY, Collector

# Page times: the targets are a few to a few hundred milliseconds.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# One fan-out to a meeting's sockets on this worker: 30 tablets to 2,000 seats.
FANOUT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1)

REQUESTS = Counter("kyhop_http_requests", "HTTP requests answered", ["method", "view", "status"])
REQUEST_SECONDS = Histogram(
    "kyhop_http_request_duration_seconds",
    "Time to answer an HTTP request (whole middleware stack)",
    ["method", "view"],
    buckets=REQUEST_BUCKETS,
)
LIVE_SOCKETS = Gauge(
    "kyhop_live_sockets",
    "Open live-meeting WebSockets on this worker",
    multiprocess_mode="livesum",
)
LIVE_MEETINGS = Gauge(
    "kyhop_live_meetings",
    "Meetings with at least one open socket on this worker",
    multiprocess_mode="livesum",
)
FANOUT_SECONDS = Histogram(
    "kyhop_live_fanout_seconds",
    "Time to write one live event to every local socket of its meeting",
    buckets=FANOUT_BUCKETS,
)
FANOUT_SOCKETS = Counter("kyhop_live_frames_sent", "Live frames written to sockets")


# --- Hooks for the live hub ---------------------------------------------------------------------


def live_sockets_set(members: dict[Any, set[Any]]) -> None:
    """Called by the hub after a socket joins or leaves: *members* is meeting → sockets."""
    LIVE_SOCKETS.set(sum(len(sockets) for sockets in members.values()))
    LIVE_MEETINGS.set(len(members))


def fanout_observed(seconds: float, sockets: int) -> None:
    FANOUT_SECONDS.observe(seconds)
    FANOUT_SOCKETS.inc(sockets)


# --- Request metrics ----------------------------------------------------------------------------


def _view_label(request: HttpRequest) -> str:
    """The URL pattern's name, not the path: ids in paths would make a series per object."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or "<unnamed>"


class MetricsMiddleware:
    """Outermost middleware: times the whole stack, sync or async."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[..., Any]) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self._acall(request)
        started = time.perf_counter()
        response = self.get_response(request)
        self._observe(request, response, time.perf_counter() - started)
        return response

    async def _acall(self, request: HttpRequest) -> Any:
        started = time.perf_counter()
        response = await self.get_response(request)
        self._observe(request, response, time.perf_counter() - started)
        return response

    @staticmethod
    def _observe(request: HttpRequest, response: HttpResponse, seconds: float) -> None:
        view = _view_label(request)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(method, view).observe(seconds)
        REQUESTS.labels(method, view, str(response.status_code)).inc()


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


# --- Task queue length, read when scraped -------------------------------------------------------


class TaskQueueCollector(Collector):
    """Tasks waiting per ``TASKS`` backend. The immediate backend has no queue (0); a queued
    backend (the database worker another issue brings) reports its waiting tasks through a
    ``queue_length()`` method, or its result model's READY rows if it has one."""

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily(
            "kyhop_task_queue_length", "Tasks enqueued and not yet started", labels=["backend"]
        )
        from django.tasks import task_backends

        for alias in settings.TASKS:
            family.add_metric([alias], float(_queue_length(task_backends[alias])))
        yield family


def _queue_length(backend: Any) -> int:
    if hasattr(backend, "queue_length"):
        return int(backend.queue_length())
    return 0


_task_collector = TaskQueueCollector()
REGISTRY.register(_task_collector)


# --- The endpoint ---------------------------------------------------------------------------------


def _registry() -> CollectorRegistry:
    """This process's metrics, or every worker's when they share a multiprocess directory."""
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(_task_collector)
    return registry


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token (``KYHOP_METRICS_TOKEN``) or a direct connection from an allowed address
    (``KYHOP_METRICS_ALLOWED_IPS``). A request relayed by the reverse proxy is never trusted by
    address: behind nginx every request comes from 127.0.0.1."""
    token = settings.KYHOP_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and constant_time_compare(header[7:], token):
        return True
    if "X-Forwarded-For" in request.headers or "X-Real-IP" in request.headers:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.KYHOP_METRICS_ALLOWED_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not settings.KYHOP_METRICS_ENABLED or not metrics_allowed(request):
        raise Http404  # not 403: the endpoint's existence is not the visitor's business
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
