"""Benchmarks (`make bench`): production-like, but runnable on a developer machine.

DEBUG is off (so Django keeps no query log), the database is PostgreSQL from
DATABASE_URL (a local one by default; a scenario may work in a database of its own
on that server, as bench.search does), and nothing needs Redis or a Celery worker:
tasks run eagerly, realtime and the cache stay in the process, rate limits are off.
"""

from config.env import env

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="bench-only-secret-key-not-for-any-server")
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/confab_bench")
}
# Seeding holds one connection for minutes; health checks would only add round trips.
DATABASES["default"]["CONN_MAX_AGE"] = None
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # one thread: no pool needed
# Accounts are seeded without passwords; a fast hasher in case a scenario sets some.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CONFAB_REALTIME_REDIS_URL = ""
CONFAB_RATE_LIMIT_ENABLED = False
CONFAB_RATE_LIMIT_REDIS_URL = ""
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("CONFAB_LOG_LEVEL", default="WARNING")},
}
