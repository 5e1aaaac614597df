"""The production topology's pieces that run here: probes, metrics, S3 settings, JSON logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from kyhop import metrics, probes
from tests.kyhop.helpers import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


def _settings_of(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run *code* after Django's setup in a fresh process with *env* (settings are read once)."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("KYHOP_", "DATABASE_", "REDIS_")) and k not in {"DEBUG"}
    }
    script = f"import django; django.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "kyhop.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Probes -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_livez_answers_without_asking_anything(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/livez")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_checks_database_cache_and_channel_layer():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "database": True,
        "cache": True,
        "channel_layer": True,
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("failing", ["database_ok", "cache_ok"])
def test_readyz_answers_503_naming_what_is_not_ready(monkeypatch, failing):
    monkeypatch.setattr(probes, failing, lambda: False)
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body[failing.removesuffix("_ok")] is False


@pytest.mark.django_db(transaction=True)
def test_readyz_answers_503_when_the_channel_layer_does_not_answer(settings):
    # Redis on a port nobody listens on: the layer cannot deliver the probe's message.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = Client().get("/readyz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503 and response.json()["channel_layer"] is False


@pytest.mark.django_db(transaction=True)
def test_readiness_command_for_processes_without_http(capsys):
    call_command("readiness")
    assert json.loads(capsys.readouterr().out) == {
        "database": True,
        "cache": True,
        "channel_layer": True,
    }


@pytest.mark.django_db(transaction=True)
def test_readiness_command_exits_1_when_not_ready(monkeypatch):
    monkeypatch.setattr(probes, "database_ok", lambda: False)
    with pytest.raises(SystemExit) as exited:
        call_command("readiness")
    assert exited.value.code == 1


# --- Metrics ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_show_request_times_per_view_and_the_task_queue():
    client = Client()
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'kyhop_http_request_duration_seconds_bucket{le="0.005",method="GET",view="healthz"}' in (
        text
    )
    assert 'kyhop_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert 'kyhop_task_queue_length{backend="default"} 0.0' in text
    assert "kyhop_live_sockets" in text and "kyhop_live_fanout_seconds_bucket" in text


def test_hub_hooks_set_socket_gauges_and_fanout_histogram():
    metrics.live_sockets_set({1: {"a", "b"}, 2: {"c"}})
    assert metrics.LIVE_SOCKETS._value.get() == 3 and metrics.LIVE_MEETINGS._value.get() == 2
    before = metrics.FANOUT_SOCKETS._value.get()
    metrics.fanout_observed(0.004, 30)
    assert metrics.FANOUT_SOCKETS._value.get() == before + 30


@pytest.mark.django_db
def test_metrics_are_not_public_through_the_proxy():
    response = Client().get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 404


@pytest.mark.django_db
def test_metrics_refuse_addresses_not_allowed_and_accept_the_token(settings):
    settings.KYHOP_METRICS_ALLOWED_NETWORKS = []
    settings.KYHOP_METRICS_TOKEN = "t" * 40
    client = Client()
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    response = client.get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {'t' * 40}", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )
    assert response.status_code == 200


def test_production_allows_no_address_by_default():
    result = _settings_of(
        "from django.conf import settings; print(settings.KYHOP_METRICS_ALLOWED_NETWORKS)",
        **PRODUCTION_ENV,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- Storage ------------------------------------------------------------------------------------


def test_s3_storage_is_selected_and_configured_by_the_environment():
    code = (
        'from django.core.files.storage import storages\ns = storages["default"]\n'
        "print(type(s).__module__, type(s).__name__)\n"
        "print(s.bucket_name, s.endpoint_url, s.location, s.access_key, s.file_overwrite,"
        " s.default_acl, s.addressing_style)"
    )
    result = _settings_of(
        code,
        KYHOP_STORAGE_BACKEND="s3",
        KYHOP_S3_BUCKET="kyhop-tai-lieu",
        KYHOP_S3_ENDPOINT_URL="https://s3.bacninh.gov.vn.example",
        KYHOP_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        KYHOP_S3_SECRET_ACCESS_KEY="secret-example",
        KYHOP_S3_PREFIX="kyhop",
    )
    assert result.returncode == 0, result.stderr
    kind, options = result.stdout.strip().splitlines()
    assert kind == "storages.backends.s3 S3Storage"
    assert options == (
        "kyhop-tai-lieu https://s3.bacninh.gov.vn.example kyhop AKIAEXAMPLE True None path"
    )


def test_s3_storage_requires_a_bucket():
    result = _settings_of("", KYHOP_STORAGE_BACKEND="s3")
    assert result.returncode != 0 and "KYHOP_S3_BUCKET" in result.stderr


def test_local_storage_is_the_default(tmp_path):
    code = (
        'from django.core.files.storage import storages\ns = storages["default"]\n'
        "print(type(s).__name__, s.location)"
    )
    result = _settings_of(code, KYHOP_MEDIA_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FileSystemStorage", str(tmp_path)]


# --- Logs ---------------------------------------------------------------------------------------


def test_json_logs_are_one_object_per_line_with_vietnamese_kept():
    code = "import logging\nlogging.getLogger('kyhop.test').warning('Cuộc họp %s đã bắt đầu', 7)"
    result = _settings_of(code, KYHOP_LOG_FORMAT="json")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "Cuộc họp 7 đã bắt đầu"
    assert line["level"] == "WARNING" and line["logger"] == "kyhop.test"
    assert {"time", "process"} <= set(line)
