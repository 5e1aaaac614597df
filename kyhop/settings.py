"""KyHop settings: one module, configured from the environment.

Profiles: ``development`` (the default: SQLite, in-memory channel layer, console e-mail, a
secret kept under var/) and ``production`` (DEBUG off, SECRET_KEY and ALLOWED_HOSTS required,
secure cookies and HSTS; passes ``manage.py check --deploy``).
"""

from __future__ import annotations

import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kyhop.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_path,
    env_str,
    persistent_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("KYHOP_VAR_DIR", BASE_DIR / "var")

PROFILE = env_choice("KYHOP_PROFILE", "development", ("development", "production"))
PRODUCTION = PROFILE == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG không được bật trong cấu hình production.")

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY", required=True)
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY phải dài ít nhất 50 ký tự.")
else:
    SECRET_KEY = env_str("SECRET_KEY") or persistent_secret(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS là bắt buộc trong cấu hình production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# No "daphne" app: uvicorn serves HTTP and WebSockets (make run, the tests, production), and
# the app's only use, an ASGI ``runserver``, cost every process (the task workers too) half a
# second importing Twisted at start-up.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "accounts.apps.AxesConfig",  # django-axes, its admin names in Vietnamese
    "audit",
    "accounts",
    "documents",
    "signing",
    "meetings",
    "django_tasks_db",
    "crontask",
    "background",
]

MIDDLEWARE = [
    # Outermost, so request times cover the whole stack (kyhop/metrics.py).
    "kyhop.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as axes asks: turns a locked-out login into its 429 page (accounts.views).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kyhop.urls"
ASGI_APPLICATION = "kyhop.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

# --- Front end: forms and error pages ------------------------------------------------------
# Every form renders through templates/django/forms/ (Bootstrap classes on every widget, the
# label above its control); TemplatesSetting looks there first, then in django.forms.
INSTALLED_APPS += ["django.forms"]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
# Our Vietnamese 404 and 500 pages in development too (kyhop/errors.py, innermost middleware);
# on, Django's technical pages (URL patterns, traceback) come back.
KYHOP_TECHNICAL_ERROR_PAGES = env_bool("KYHOP_TECHNICAL_ERROR_PAGES", False)
MIDDLEWARE += ["kyhop.errors.ErrorPageMiddleware"]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kyhop.sqlite3'}"
# Web processes run under ASGI, where Django wants persistent connections off. The task
# worker (``manage.py db_worker``) is one synchronous loop: it keeps its connection between
# tasks, since opening one (and its PRAGMAs on SQLite) per task cost a tenth of a mail's time.
_TASK_WORKER = sys.argv[1:2] == ["db_worker"]
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=600 if _TASK_WORKER else 0, conn_health_checks=_TASK_WORKER
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # Several processes (server + worker) share the file: WAL lets readers run beside a writer,
    # IMMEDIATE takes the write lock at BEGIN so two writers queue instead of deadlocking.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete: freed cells and pages are zeroed, so a closed secret poll's rows in
        # arrival order do not linger in the file (meetings/voting/storage.py).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
        ),
    }
    # A file (not :memory:) so server processes started by live tests can open it; one per
    # pytest process so parallel runs do not trample each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool(
    "KYHOP_DATABASE_JIT", False
):
    # PostgreSQL's JIT compiles a query whose estimated cost is high — a list with several
    # visibility subqueries over 500,000 documents qualifies — and compiling took 2.7 s of a
    # 2.8 s page at a province's size (EXPLAIN ANALYZE). Web pages are short queries: off.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if env_str("DATABASE_TEST_NAME") and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # The test database's name on a shared server (Django's default is "test_" + NAME).
    DATABASES["default"]["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channels and cache ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# redis-py 8 caps an asyncio pool at 100 connections and raises past it; a province-wide
# conference holds thousands of sockets, so the pool is sized explicitly.
REDIS_MAX_CONNECTIONS = env_int("REDIS_MAX_CONNECTIONS", 4096, minimum=10)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": REDIS_MAX_CONNECTIONS}],
                "prefix": env_str("KYHOP_CHANNEL_PREFIX", "kyhop"),
            },
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("KYHOP_CACHE_PREFIX", "kyhop"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks (django.tasks) --------------------------------------------------------
# Tasks are rows in the database (django-tasks-db) and a worker process (`manage.py db_worker`,
# started by `make run`) runs them, so mail, deadlines and reminders never wait on a web request.
# The test suite runs them inline (pytest sets PYTEST_VERSION): its assertions expect the mail
# of a request to exist when the request returns; the worker itself has its own tests.
TESTING = "PYTEST_VERSION" in os.environ
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS = {
    "default": {
        "BACKEND": TASK_BACKENDS[
            env_choice(
                "KYHOP_TASKS_BACKEND",
                "immediate" if TESTING else "database",
                tuple(TASK_BACKENDS),
            )
        ]
    },
    # Bulk signing always runs in the web process that took the passphrase (in a thread of
    # its own, see signing/bulk/jobs.py): a queued backend would store the task's arguments
    # in the database or Redis, and the passphrase must never be stored anywhere.
    "signing": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
}
# Seconds to wait before each new attempt at a mail the SMTP server did not take; after the
# last one the mail is "failed" with its error (background/outbox.py).
KYHOP_MAIL_RETRY_DELAYS = [
    int(seconds) for seconds in env_list("KYHOP_MAIL_RETRY_DELAYS", ["60", "300", "1800", "7200"])
]
# Hours before a written consultation's deadline at which members who have not answered are
# reminded, once each (meetings/tasks.py).
KYHOP_CONSULTATION_REMIND_HOURS = [
    int(hours) for hours in env_list("KYHOP_CONSULTATION_REMIND_HOURS", ["24", "2"])
]
# Hours before a signing request's deadline (hạn xử lý) at which the signer whose step is
# open is reminded, once; a second reminder goes once the deadline has passed
# (signing/requests/reminders.py).
KYHOP_SIGNING_REMINDER_HOURS = env_int("KYHOP_SIGNING_REMINDER_HOURS", 24, minimum=0)
# Hours before a meeting at which invitees who have not replied are asked to, once each
# (meetings/tasks.py; the day-before notice goes to those who have replied).
KYHOP_INVITEE_REMIND_HOURS = [
    int(hours) for hours in env_list("KYHOP_INVITEE_REMIND_HOURS", ["48", "24"])
]
# PAdES-LTA renewal (signing/pades/renewal.py): a new document time-stamp is added when the
# newest one's TSA certificate expires within this many days.
KYHOP_LTA_RENEW_DAYS = env_int("KYHOP_LTA_RENEW_DAYS", 90, minimum=1)
# Revocation refresh: fresh OCSP/CRL data once for versions signed at least this many hours
# and at most this many days ago (after the CA's grace period).
KYHOP_REVOCATION_REFRESH_AFTER_HOURS = env_int(
    "KYHOP_REVOCATION_REFRESH_AFTER_HOURS", 24, minimum=0
)
KYHOP_REVOCATION_REFRESH_WITHIN_DAYS = env_int("KYHOP_REVOCATION_REFRESH_WITHIN_DAYS", 7, minimum=1)
# Development mail catcher: one .eml file per message, read on the "Hộp thư thử nghiệm" page.
KYHOP_MAIL_DIR = env_path("KYHOP_MAIL_DIR", VAR_DIR / "mail")

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_PASSWORD_VALIDATORS[0]["OPTIONS"] = {"user_attributes": ("username", "full_name", "email")}

# --- Login throttling (django-axes) --------------------------------------------------------------
# Failed logins are counted per user name *and* client address together, in the database (so
# every worker sees the same count): one person's mistakes behind an office's shared NAT
# address lock only that name at that address, never the whole office, and an attacker who
# rotates addresses or names gets KYHOP_LOGIN_MAX_FAILURES tries per pair.
AUTHENTICATION_BACKENDS = [
    "accounts.throttle.LoginThrottleBackend",  # refuses a locked name+address first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("KYHOP_LOGIN_MAX_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(seconds=env_int("KYHOP_LOGIN_LOCKOUT_SECONDS", 900, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries while locked are refused without being counted: the lock ends when the page says.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "accounts.throttle.client_address"
AXES_USERNAME_CALLABLE = "accounts.throttle.attempted_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
# Logins and failures are in the audit chain already; axes keeps only the attempts it counts
# (listed, and deletable to unlock, in the admin: accounts/admin.py registers that list alone).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every start; lockouts are still logged
AXES_ENABLE_ADMIN = False
# Addresses or networks (CIDR) of our own reverse proxies, comma-separated; empty (the default)
# trusts no one. Only a request whose TCP peer is one of them has its client address read
# from KYHOP_PROXY_HEADER (see accounts/throttle.py).
KYHOP_TRUSTED_PROXIES = env_list("KYHOP_TRUSTED_PROXIES", [])
for _proxy in KYHOP_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"KYHOP_TRUSTED_PROXIES: “{_proxy}” không phải địa chỉ IP hay dải mạng (CIDR)."
        ) from None
KYHOP_PROXY_HEADER = env_str("KYHOP_PROXY_HEADER", "X-Forwarded-For")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env_path("KYHOP_STATIC_ROOT", VAR_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env_path("KYHOP_MEDIA_ROOT", VAR_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: downloads go through permission-checked views


def _media_storage() -> dict[str, object]:
    """Where document bytes live: ``local`` (MEDIA_ROOT, the default), ``s3`` (any
    S3-compatible store — MinIO, Ceph, a cloud's — through django-storages), or a storage
    class's dotted path. Blobs are named by their SHA-256, so the same bytes always land on the
    same key and overwriting a key rewrites identical bytes."""
    backend = env_str("KYHOP_STORAGE_BACKEND", "local")
    if backend == "local":
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(MEDIA_ROOT)},
        }
    if backend != "s3":
        return {"BACKEND": backend, "OPTIONS": {}}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("KYHOP_S3_BUCKET", required=True),
            # Unset: AWS itself; set for MinIO/Ceph/another provider (https://s3.example.vn).
            "endpoint_url": env_str("KYHOP_S3_ENDPOINT_URL"),
            "region_name": env_str("KYHOP_S3_REGION"),
            # Unset: boto3's own chain (instance role, ~/.aws, AWS_* variables).
            "access_key": env_str("KYHOP_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("KYHOP_S3_SECRET_ACCESS_KEY"),
            "location": env_str("KYHOP_S3_PREFIX", ""),
            "addressing_style": env_choice(
                "KYHOP_S3_ADDRESSING_STYLE", "path", ("path", "virtual")
            ),
            "signature_version": "s3v4",
            # Private bucket: nothing is public, every download goes through KyHop's checks.
            "default_acl": None,
            "querystring_auth": True,
            # Content-addressed names: a second writer of the same blob writes the same bytes,
            # so no "_abc123" suffix is wanted.
            "file_overwrite": True,
            "verify": env_bool("KYHOP_S3_VERIFY_TLS", True),
        },
    }


STORAGES = {
    "default": _media_storage(),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("KYHOP_DATA_UPLOAD_MAX_MEMORY_SIZE", 10_485_760)

# --- E-mail ---------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "KyHop <kyhop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 587 if PRODUCTION else 25, minimum=1),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", PRODUCTION),
    "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
}
# Production speaks SMTP; development writes .eml files under var/mail/ unless EMAIL_BACKEND
# names another backend (the SMTP one takes the EMAIL_* options above).
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "background.smtp.EmailBackend"  # Django's, each attachment encoded once (background/smtp.py)
    if PRODUCTION
    else "background.mailfiles.EmlFileBackend",
)
MAILERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": SMTP_OPTIONS if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend") else {},
    }
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'", "blob:"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Logging --------------------------------------------------------------------------------
# ``KYHOP_LOG_FORMAT=json``: one JSON object per line (time, level, logger, message, process,
# and the exception if any) for a log collector; uvicorn's own loggers (errors, access lines)
# are routed through the same handler so every line of a worker has the same shape.
LOG_FORMAT = env_choice("KYHOP_LOG_FORMAT", "text", ("text", "json"))
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
_console = {"class": "logging.StreamHandler"}
if LOG_FORMAT == "json":
    _console["formatter"] = "json"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {"console": _console},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        **(
            {
                name: {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False}
                for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
            }
            if LOG_FORMAT == "json"
            else {}
        ),
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each layout step at INFO; only its problems are worth reading.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        # django-axes logs every login at INFO; its failures and lockouts are WARNINGs.
        "axes": {"level": "WARNING"},
    },
}

# --- Documents ------------------------------------------------------------------------------
# Upload limits: refused before anything is stored. Raise them for scanned archives if needed.
KYHOP_UPLOAD_MAX_BYTES = env_int("KYHOP_UPLOAD_MAX_BYTES", 200 * 1024 * 1024, minimum=1)
KYHOP_UPLOAD_MAX_PAGES = env_int("KYHOP_UPLOAD_MAX_PAGES", 2000, minimum=1)
# pypdf strict parsing refuses malformed files; some real-world tools write slightly broken
# PDFs (hybrid xref, wrong offsets) that a deployment may decide to accept.
KYHOP_UPLOAD_PDF_STRICT = env_bool("KYHOP_UPLOAD_PDF_STRICT", True)
# Text extracted from a PDF for diacritic-insensitive search, capped per version.
KYHOP_SEARCH_TEXT_MAX_CHARS = env_int("KYHOP_SEARCH_TEXT_MAX_CHARS", 500_000, minimum=0)
# PDFs from this size on get a reading copy packed for range requests (documents.ReadingCopy).
KYHOP_READING_COPY_MIN_BYTES = env_int("KYHOP_READING_COPY_MIN_BYTES", 4 * 1024 * 1024, minimum=0)

# --- Uploads and office conversion ---------------------------------------------------------------
# Uploads too large for memory are streamed to unnamed temporary files, which a killed server
# cannot leave behind (documents/uploads/handlers.py).
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "documents.uploads.handlers.UnnamedTemporaryFileUploadHandler",
]
# LibreOffice converts DOCX/ODT/XLSX (documents/uploads/conversion.py, through the watchdog
# documents/uploads/soffice_guard.py); a hostile or huge file must not hold a worker, a core or the
# disk. Wall-clock limit, CPU seconds and address space of LibreOffice; its PDF may not exceed
# KYHOP_UPLOAD_MAX_BYTES either.
KYHOP_SOFFICE_BINARY = env_str("KYHOP_SOFFICE_BINARY", "soffice")
KYHOP_SOFFICE_TIMEOUT = env_int("KYHOP_SOFFICE_TIMEOUT", 120, minimum=1)
KYHOP_SOFFICE_CPU_SECONDS = env_int("KYHOP_SOFFICE_CPU_SECONDS", 120, minimum=1)
KYHOP_SOFFICE_MEMORY_MB = env_int("KYHOP_SOFFICE_MEMORY_MB", 2048, minimum=0)  # 0: no cap
# An office file is a ZIP: refused before conversion when its members unpack to more than this
# many bytes, or to more than this many times the uploaded size, or when it has more members.
KYHOP_OFFICE_MAX_UNPACKED_BYTES = env_int(
    "KYHOP_OFFICE_MAX_UNPACKED_BYTES", 200 * 1024 * 1024, minimum=1
)
KYHOP_OFFICE_MAX_RATIO = env_int("KYHOP_OFFICE_MAX_RATIO", 100, minimum=1)
KYHOP_OFFICE_MAX_MEMBERS = env_int("KYHOP_OFFICE_MAX_MEMBERS", 10_000, minimum=1)

# --- Signing (dev PKI) ----------------------------------------------------------------------
# The development PKI (``manage.py pki_init``) lives here; ``manage.py pki_serve`` serves its
# time-stamps, OCSP and CRLs at KYHOP_PKI_URL, which is also written into every certificate's
# AIA and CRL distribution points — so the URL must not change after ``pki_init``.
KYHOP_PKI_DIR = env_path("KYHOP_PKI_DIR", VAR_DIR / "pki")
KYHOP_PKI_URL = (env_str("KYHOP_PKI_URL") or "http://127.0.0.1:9100").rstrip("/")
# Passphrase of the development PKCS#12 files (demo only; real identities get their own).
KYHOP_PKI_PASSPHRASE = env_str("KYHOP_PKI_PASSPHRASE", "KyHop@2026")
# The RFC 3161 time-stamping service; by default the development PKI's.
KYHOP_SIGN_TSA_URL = env_str("KYHOP_SIGN_TSA_URL") or f"{KYHOP_PKI_URL}/kyhop-dev/tsa/tsa"
# Seconds to wait for the TSA, and for each OCSP/CRL/certificate fetch, before giving up.
KYHOP_SIGN_TSA_TIMEOUT = env_int("KYHOP_SIGN_TSA_TIMEOUT", 10, minimum=1)
KYHOP_SIGN_FETCH_TIMEOUT = env_int("KYHOP_SIGN_FETCH_TIMEOUT", 10, minimum=1)
# Bulk signing with a server-held PKCS#12 spreads batches of at least this many documents over
# worker processes, one per core (signing/bulk/pool.py); 0 keeps every batch in one process.
KYHOP_SIGN_BULK_PROCESS_MIN = env_int("KYHOP_SIGN_BULK_PROCESS_MIN", 16, minimum=0)
# PEM/DER files of the roots signatures must chain to; empty means the development PKI's root.
KYHOP_SIGN_TRUST_ROOTS = [Path(p) for p in env_list("KYHOP_SIGN_TRUST_ROOTS", [])]
# Before every signature the certificate's chain and revocation status are asked of the CA
# (OCSP/CRL); a definite answer (good, revoked) is reused for this many seconds (0: ask every
# time). When the CA cannot be reached the status is unknown: "block" refuses the signature,
# "allow-initials" lets only initials (ký nháy) go ahead, "allow" lets every signature go ahead
# with a warning to the signer and in the audit trail.
KYHOP_SIGN_REVOCATION_CACHE_SECONDS = env_int("KYHOP_SIGN_REVOCATION_CACHE_SECONDS", 300, minimum=0)
KYHOP_SIGN_REVOCATION_UNKNOWN = env_choice(
    "KYHOP_SIGN_REVOCATION_UNKNOWN", "block", ("block", "allow-initials", "allow")
)
# TTF embedded in signature appearances: it must cover Vietnamese, and pyHanko spaces glyphs
# correctly only for fonts with 1000 units per em (Noto, not DejaVu).
KYHOP_SIGN_FONT = env_path(
    "KYHOP_SIGN_FONT", Path("/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
)

# --- Validation -----------------------------------------------------------------------------
# Fetch OCSP/CRL (and missing CA certificates) online while validating. Off by default: the URLs
# come from certificates inside files anyone may upload, so fetching lets an anonymous visitor
# make the server send requests; signatures at B-LT/B-LTA carry their own revocation data.
KYHOP_VALIDATION_FETCH = env_bool("KYHOP_VALIDATION_FETCH", False)
# Hard limit, in seconds, for validating one file (the child process is killed after it).
KYHOP_VALIDATION_TIMEOUT = env_int("KYHOP_VALIDATION_TIMEOUT", 60, minimum=1)
# Largest file accepted for validation, and most signatures checked in one file.
KYHOP_VALIDATION_MAX_BYTES = env_int("KYHOP_VALIDATION_MAX_BYTES", 100 * 1024 * 1024, minimum=1)
KYHOP_VALIDATION_MAX_SIGNATURES = env_int("KYHOP_VALIDATION_MAX_SIGNATURES", 200, minimum=1)
# Address-space cap of the validating child process, in MiB (0: none), against zip bombs.
KYHOP_VALIDATION_MAX_MEMORY_MB = env_int("KYHOP_VALIDATION_MAX_MEMORY_MB", 2048, minimum=0)
# Render the pages as signed and as they are now and show what looks different (pypdfium2), up
# to this many pages per signature.
KYHOP_VALIDATION_VISUAL = env_bool("KYHOP_VALIDATION_VISUAL", True)
KYHOP_VALIDATION_VISUAL_MAX_PAGES = env_int("KYHOP_VALIDATION_VISUAL_MAX_PAGES", 500, minimum=1)
# The platform's seal on PDF validation reports: a PKCS#12 file and its passphrase (from the
# environment only, never printed). Unset outside production: the development PKI's seal of
# "ubnd-tinh" under KYHOP_PKI_DIR, if it exists. Unset in production: reports go unsealed.
KYHOP_REPORT_SEAL_P12 = env_str("KYHOP_REPORT_SEAL_P12", "")
KYHOP_REPORT_SEAL_PASSPHRASE = env_str("KYHOP_REPORT_SEAL_PASSPHRASE", "")

# --- Metrics and probes (kyhop/metrics.py, kyhop/probes.py) ---------------------------------
# /metrics (Prometheus) answers only a bearer token or a direct connection from these
# networks; through the reverse proxy it answers 404 (every proxied request comes from the
# proxy's address, so an address alone proves nothing there). Production allows no address by
# default: set a token, or the scraper's address, explicitly.
KYHOP_METRICS_ENABLED = env_bool("KYHOP_METRICS_ENABLED", True)
KYHOP_METRICS_TOKEN = env_str("KYHOP_METRICS_TOKEN", "")
if KYHOP_METRICS_TOKEN and len(KYHOP_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("KYHOP_METRICS_TOKEN phải dài ít nhất 32 ký tự.")
KYHOP_METRICS_ALLOWED_IPS = env_list(
    "KYHOP_METRICS_ALLOWED_IPS", [] if PRODUCTION else ["127.0.0.1/32", "::1/128"]
)
try:
    KYHOP_METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network(value, strict=False) for value in KYHOP_METRICS_ALLOWED_IPS
    ]
except ValueError as exc:
    raise ImproperlyConfigured(f"KYHOP_METRICS_ALLOWED_IPS: {exc}") from exc

# The statistics page (a report over a period) is reused for this many seconds (0: never).
KYHOP_STATISTICS_CACHE_SECONDS = env_int("KYHOP_STATISTICS_CACHE_SECONDS", 300, minimum=0)
