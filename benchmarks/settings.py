"""Settings for ``make bench``'s web server: the test settings (no second factor, so the demo
users' sessions work) with pages and API lists cached, quiet logs and one trivial view
(``/bench/trivial/``) to compare every page with."""

from config.settings.test import *  # noqa: F403
from config.settings.test import caches_at, env, verify_seconds

ROOT_URLCONF = "benchmarks.urls"
PAGE_CACHE_SECONDS = 300
CACHE_URL = env.str("CACHE_URL", default="")
CACHES = caches_at(CACHE_URL, key_prefix="ct-bench")
PAGE_CACHE_VERIFY_SECONDS = verify_seconds(CACHES)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
