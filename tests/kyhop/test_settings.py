"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kyhop.env import env_bool, env_choice, env_int, env_list, persistent_secret
from tests.kyhop.helpers import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "raw,expected", [("1", True), ("true", True), ("off", False), ("No", False)]
)
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("KYHOP_T", raw)
    assert env_bool("KYHOP_T", default=not expected) is expected


@pytest.mark.parametrize(
    "helper,raw",
    [
        (lambda: env_bool("KYHOP_T", False), "maybe"),
        (lambda: env_int("KYHOP_T", 1), "mười"),
        (lambda: env_int("KYHOP_T", 1, minimum=5), "3"),
        (lambda: env_choice("KYHOP_T", "a", ("a", "b")), "c"),
    ],
)
def test_bad_values_fail_naming_the_variable(monkeypatch, helper, raw):
    monkeypatch.setenv("KYHOP_T", raw)
    with pytest.raises(ImproperlyConfigured, match="KYHOP_T"):
        helper()


def test_env_list_splits_and_trims(monkeypatch):
    monkeypatch.setenv("KYHOP_T", " a.vn, b.vn ,,")
    assert env_list("KYHOP_T", []) == ["a.vn", "b.vn"]


def test_development_secret_is_made_once_and_private(tmp_path):
    path = tmp_path / "secret_key"
    first = persistent_secret(path)
    assert persistent_secret(path) == first and len(first) >= 50
    assert (path.stat().st_mode & 0o777) == 0o600


def _run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_check_deploy_without_warnings():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_required_settings(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run_manage("check", **env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_debug():
    result = _run_manage("check", **PRODUCTION_ENV, DEBUG="1")
    assert result.returncode != 0 and "DEBUG" in result.stderr
