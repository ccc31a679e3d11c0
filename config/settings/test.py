"""Test settings: PostgreSQL and Redis by default, fast hashing, mail kept in memory."""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/compliance_tracker")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: F403
from .base import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["*"]
# The suite signs AQMD users in with force_login: the second factor is switched off here and
# switched on by the tests of it (tests/accounts/test_second_factor.py).  Production keeps
# it for every AQMD reviewer and administrator (config.settings.production).
MFA_REQUIRED_ROLES = []
# One process: the cache in memory (not the test broker's Redis).  Pages and API lists are
# not cached unless a test turns it on (tests/test_page_cache.py), so the suite's query
# counts are those of rendering the page.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PAGE_CACHE_SECONDS = 0
PAGE_CACHE_VERIFY_SECONDS = 0.0
