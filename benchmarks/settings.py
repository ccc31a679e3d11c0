"""Settings for ``make bench``'s web server: the test settings (no second factor, so the demo
users' sessions work) with public pages cached, quiet logs and one trivial view
(``/bench/trivial/``) to compare every page with."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

ROOT_URLCONF = "benchmarks.urls"
PUBLIC_PAGE_CACHE_SECONDS = 300
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # Redis down must not hold a page up: fail fast, and the page is served uncached.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": "ct-bench",
        }
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
