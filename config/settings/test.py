"""Test settings: fast hashing, eager Celery, locmem mail, in-memory files.

The database comes from DATABASE_URL when set (CI uses PostgreSQL), SQLite otherwise.
"""

import os

from config.env import VAR_DIR

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
SECRET_KEY = "test-only-secret-key-for-the-confab-suite"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Realtime stays in the process; the Redis tests switch it on with their own channel.
CONFAB_REALTIME_REDIS_URL = ""
# Rate limits stay on, in the process, with room for the suite's own bursts;
# tests/core/test_rate_limits.py sets small buckets (and Redis) for itself.
CONFAB_RATE_LIMIT_REDIS_URL = ""
CONFAB_RATE_LIMIT_BURST = 10_000
# Tests never serve collected static files (there is no collectstatic before them).
# WhiteNoise serves static files straight from the apps' folders (no collectstatic), so the
# live server's browser tests load the web client's scripts and styles.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that subprocesses started by tests (a Celery worker)
    # see the same test database; one per test process so runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-confab-{os.getpid()}.sqlite3")}
