"""Development and embedded mode (`make run`): SQLite, in-memory realtime, local files."""

from django.core.exceptions import ImproperlyConfigured

from config.env import PRODUCTION, confab_env, env

from .base import *  # noqa: F403
from .dev_secret import DEV_SECRET_KEY

if confab_env() == PRODUCTION:
    raise ImproperlyConfigured(
        "CONFAB_ENV=production but DJANGO_SETTINGS_MODULE is config.settings.dev; "
        "use config.settings.prod."
    )

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=DEV_SECRET_KEY)
# Serve static files from the apps' folders while developing, so edits show on reload.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
