"""Production settings: ``base`` behind a TLS-terminating proxy, hardened, nothing from ``.env``.

Used by ``make serve`` (``scripts/serve``), the ``Dockerfile`` and ``docker-compose.yml``.
Start-up stops with a message naming the variable when DEBUG is on, the secret is missing or
short, or a development-only switch (``DJANGO_MFA_EXEMPT_USERNAMES``) is set.
``python manage.py check --deploy`` reports no issues with these settings.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DEBUG, MFA_EXEMPT_USERNAMES, SECRET_KEY, env, env_bool

if DEBUG:
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is on: production settings refuse to start with DEBUG on "
        "(unset it or set DJANGO_DEBUG=false)."
    )
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak for production: use at least 50 random characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
    )
if MFA_EXEMPT_USERNAMES:
    raise ImproperlyConfigured(
        "DJANGO_MFA_EXEMPT_USERNAMES is a development-only setting (make run's demo users): "
        "production requires the second factor of every AQMD reviewer and administrator."
    )

# HTTPS is terminated by the proxy in front, which says so with X-Forwarded-Proto.  The
# proxy must set (not pass through) that header.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Turned off on purpose (a trial on a laptop without the proxy): not a deployment warning.
SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT else ["security.W008"]
# The readiness probe is asked over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
