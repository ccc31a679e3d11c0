"""Settings read from the environment (django-environ); malformed values fail loudly.

Embedded defaults (SQLite, a file-system Celery broker) let ``make run`` start on a machine
with only Python.  Set ``DATABASE_URL`` and ``CELERY_BROKER_URL`` to run the same code on
PostgreSQL and Redis.
"""

import datetime as dt
import os
from pathlib import Path
from typing import Any, Final

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# The development file that ``make run`` writes (DEBUG on, a generated secret) so that every
# ``python manage.py ...`` works in that clone.  Production (config.settings.production) and
# the tests read the real environment only.
if os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.base") == "config.settings.base":
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    """A boolean from the environment; anything but true/false-like words is an error
    (django-environ would quietly read "maybe" as False)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_database(name: str, *, default: str) -> dict[str, Any]:
    """A database URL; an unknown scheme is an error rather than an empty configuration."""
    raw = os.environ.get(name, default)
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in environ.Env.DB_SCHEMES:
        raise ImproperlyConfigured(
            f"{name}={raw!r} is not a database URL (postgres://... or sqlite:///...)."
        )
    return dict(env.db_url_config(raw))


DEBUG = env_bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.url("SITE_URL", default="http://127.0.0.1:8000").geturl()

INSTALLED_APPS = [
    "core.apps.ComplianceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core.apps.CoreConfig",
    "accounts",
    "audit",
    "agreement",
    "plans",
    "penalties",
    "reports",
    "cost_recovery",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files under gunicorn (docker-compose); runserver serves them
    # itself in development.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The public's cached pages, answered before the rest of the stack (core/page_cache.py).
    "core.page_cache.PublicPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Second factor: marks the session's user verified, then sends AQMD reviewers and
    # administrators who are not to enrolment or the code page (accounts/mfa.py).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Sign-in throttling (django-axes): last, so it sees the lockout the backend raised.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.navigation",
            ],
        },
    }
]

DATABASES = {
    "default": env_database(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'compliance-tracker.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
    # One writer at a time from the first statement: the audit chain reads its head and
    # appends under that lock (web and worker write at once under ``make run``).
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
else:
    # Persistent connections, checked before each request reuses one: a connection the
    # server dropped (restart, failover, idle kill) is replaced without restarting the app.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Sign-in throttling (django-axes): 10 failures for one user name, or from one address, lock
# it for AXES_COOLOFF_TIME; the lockout page says so and the lockout is audited
# (accounts/signals.py).  Counted in the database, so every gunicorn worker agrees.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_VERBOSE = False
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies in front add it to
# X-Forwarded-For (a header anyone can send when no proxy is there to overwrite it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Second factor (django-otp, TOTP with recovery codes): required of these roles.  The
# development-only MFA_EXEMPT_USERNAMES lets ``make run``'s demo users in without one;
# config.settings.production refuses to start when it is set.
MFA_REQUIRED_ROLES = ["aqmd_reviewer", "aqmd_admin"]
MFA_EXEMPT_USERNAMES = env.list("DJANGO_MFA_EXEMPT_USERNAMES", default=[])
OTP_TOTP_ISSUER = "AQMD compliance tracker"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions: two weeks for port staff and the board; AQMD reviewers and administrators (and
# anyone who may use /admin/) are signed out STAFF_SESSION_AGE after signing in.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
STAFF_SESSION_AGE = env.int("STAFF_SESSION_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
# The language links' choice (core/views.py choose_language): sent on top-level navigation only.
LANGUAGE_COOKIE_SAMESITE: Final = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Deadlines of the agreement are calendar dates in Pacific time.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Los_Angeles"
# Our formats over Django's per language: one number grouping in both languages, and the
# time zone named on every date and time (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# WhiteNoise reads this folder at start-up; collectstatic fills it (docker-compose).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="compliance-tracker@aqmd.example")

# The deadline sweep flags this many misses per transaction (penalties/sweep.py).
SWEEP_BATCH_SIZE = env.int("SWEEP_BATCH_SIZE", default=500)

# The cache holds the cached pages and API lists (core/page_cache.py): Redis when CACHE_URL
# names it, or by default when the Celery broker is Redis (make serve, docker-compose), shared
# by the web processes; otherwise this process's memory (make run).
_broker_url = env.str("CELERY_BROKER_URL", default="filesystem://")
CACHE_URL = env.str(
    "CACHE_URL", default=_broker_url if _broker_url.startswith(("redis://", "rediss://")) else ""
)


def caches_at(url: str, *, key_prefix: str) -> dict[str, dict[str, object]]:
    """``CACHES``: Redis at ``url`` when it names Redis, else this process's memory."""
    if not url.startswith(("redis://", "rediss://")):
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            "BACKEND": "core.cache.RedisCache",  # Django's, one client per pool
            "LOCATION": url,
            # Redis down must not hold a page up: fail fast, and the page is served uncached.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": key_prefix,
        }
    }


def verify_seconds(caches: dict[str, dict[str, object]]) -> float:
    """``PAGE_CACHE_VERIFY_SECONDS`` for ``caches``: how often each process reads the data
    version again (core/page_cache.py).  With a cache shared by every process, the count of
    recorded changes invalidates kept pages at once and this only bounds how long a count
    lost to a failure can leave one stale: a second.  With each process's own memory, other
    processes' changes are only seen that way: on every request."""
    shared = caches["default"]["BACKEND"] == "core.cache.RedisCache"
    return env.float("PAGE_CACHE_VERIFY_SECONDS", default=1.0 if shared else 0.0)


CACHES = caches_at(CACHE_URL, key_prefix="ct-cache")
PAGE_CACHE_VERIFY_SECONDS = verify_seconds(CACHES)
# How long a page or API list may be served from the cache (0: never).  A recorded
# change drops it at once (core/page_cache.py); this only bounds the memory.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# The release that serves (e.g. the image's commit), part of every cache key; empty: the git
# commit of BASE_DIR, else the package version (core/page_cache.py).
RELEASE = env.str("RELEASE", default="")

# Celery: the file-system transport needs no server; Redis is used when CELERY_BROKER_URL
# names it (docker-compose, tests).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu's default is ./control (the working directory); keep it under var/.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # The file-system transport needs its folders before the first message (web or worker).
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A task whose worker was killed outright (not just its child) stays unacknowledged
        # in Redis until this many seconds pass, then goes to another worker.  Longer than
        # the longest task (the report render's 10 minutes).
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # Redis down must not hang a web request that enqueues after commit.
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
    }
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing from a web request tries for about a second, then gives up (the run or notice
# stays recorded; the periodic jobs below enqueue it again once the broker is back).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The one place that says what runs when: each task by its name, and why then.
_RUNS_AT: dict[str, object] = {
    # Deadline sweep (penalties/sweep.py): flags each milestone whose 23:59:59 Pacific
    # deadline passed unmet (a potential default for AQMD to determine); every 15 minutes so a
    # miss is flagged within a quarter hour of the deadline.
    "penalties.sweep_deadlines": crontab(minute="*/15"),
    # Late completions (penalties/sweep.py): a milestone met late before any sweep saw it
    # missed (e.g. the worker was down) is flagged too; daily catch-up at 01:30.
    "penalties.record_late_completions": crontab(hour=1, minute=30),
    # Reminders (penalties/reminders.py): 60/30/7/1-day reminders and overdue notices to port
    # staff, each at most once; hourly is ample for day-granular reminders.
    "penalties.send_reminders": crontab(minute=5),
    # The outbox (core/outbox.py): every e-mail is sent after commit by its own task; this
    # sends what failed (with backoff) or was never enqueued (the broker was down).
    "core.outbox_redeliver": crontab(minute="*"),
    # Report runs (reports/recovery.py): a run left queued (the broker was down when it was
    # requested) or rendering past the render time limit (its worker died) is queued again.
    "reports.requeue_stalled_runs": crontab(minute="*/5"),
    # The audit hash chain (audit/chain.py): verified daily at 02:15; a break is mailed to
    # AQMD administrators (audit/alerts.py).
    "audit.verify_chain": crontab(hour=2, minute=15),
}
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    task: {"task": task, "schedule": when} for task, when in _RUNS_AT.items()
}

# The API (api/): token or session authentication (the token class first, so a missing
# login answers 401), the one policy as the permission, one error shape, filtering,
# ordering and pagination on every list.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.PolicyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.LimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cooperative Agreement Compliance Tracker API",
    "DESCRIPTION": (
        "Parties, phases, categories, milestones, penalty schedules, report runs, emissions "
        "inventories and the audit trail of the "
        "Cooperative Agreement between South Coast AQMD and the Ports of Los Angeles and Long "
        "Beach. Authenticate with `Authorization: Bearer <token>` (tokens at /accounts/tokens/) "
        "or a browser session. Errors answer "
        '`{"error": {"code": ..., "message": ..., "fields": {...}}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Fields named alike in several resources get their own component names: a milestone's
    # and a plan version's "kind", the several "status" choice sets; a figure's stored basis
    # and a derived figure's basis are the same choices.
    "ENUM_NAME_OVERRIDES": {
        "FigureBasisEnum": "reports.models.FigureBasis",
        "PlanVersionKindEnum": "plans.models.VersionKind",
        "PlanVersionStatusEnum": "plans.models.VersionStatus",
        "PlanDecisionEnum": "plans.models.Decision",
        "DefaultStatusEnum": "penalties.models.DefaultStatus",
        "PenaltyStatusEnum": "penalties.models.PenaltyStatus",
        "ExtensionRequestStatusEnum": "penalties.models.RequestStatus",
        "FlexibilityClaimStatusEnum": "penalties.models.ClaimStatus",
    },
}

UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=25 * 1024 * 1024)
# A report run still queued after this long has its render task sent again
# (reports/recovery.py): the broker was down when it was requested.
REPORT_QUEUED_STALE_SECONDS = env.int("REPORT_QUEUED_STALE_SECONDS", default=5 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=True)
    LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", default=True)

# Headers on every response, in every environment (HTTPS-only ones: production.py).
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline
# script; images may be data: URIs (Swagger UI's icons).  htmx's own inline indicator
# styles are switched off in base.html.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
