"""Plain helpers of the settings and deployment tests."""

from __future__ import annotations

# The least environment a production server starts with (placeholders, never real secrets).
PRODUCTION_ENV = {
    "KYHOP_PROFILE": "production",
    "SECRET_KEY": "x" * 20 + "-production-secret-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "kyhop.bacninh.gov.vn",
    "DATABASE_URL": "postgres://kyhop@127.0.0.1:5432/kyhop",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
