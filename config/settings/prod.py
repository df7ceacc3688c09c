"""Production: secrets, hosts and service URLs from the environment with no defaults.

Refuses to start with DEBUG on, with the development secret key or without Redis.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

from .base import *  # noqa: F403
from .base import caches_for, channel_layers_for
from .dev_secret import DEV_SECRET_KEY

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASE_URL = env.str("DATABASE_URL")
# Without Redis each process would have its own in-memory realtime layer and cache, and jobs
# would go to the filesystem queue: events and jobs silently lost between processes.
REDIS_URL = env.str("REDIS_URL")
CHANNEL_LAYERS = channel_layers_for(REDIS_URL)
CACHES = caches_for(REDIS_URL)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
if not REDIS_URL.strip():
    raise ImproperlyConfigured("REDIS_URL must be set in production (redis://host:6379/0).")
if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random value of at least 50 characters, "
        "not the development default."
    )

SESSION_COOKIE_SECURE = env.bool("CONFAB_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("CONFAB_HSTS_SECONDS", default=0)
