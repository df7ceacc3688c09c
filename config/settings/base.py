"""Settings shared by every environment.

Nothing here is a secret and nothing here is only safe in development; `dev.py`, `test.py`
and `prod.py` add what differs. All values come from `config.env`.
"""

import ipaddress
from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF

from config.env import BASE_DIR, VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SITE_URL = env.str("CONFAB_SITE_URL", default="http://localhost:8065")

INSTALLED_APPS = [
    "daphne",
    "apps.core.apps.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "apps.core",
    "apps.accounts",
    "apps.teams",
    "apps.channels.apps.ChatChannelsConfig",
    "apps.posts",
    "apps.files",
    "apps.integrations",
    "apps.realtime",
    "apps.search.apps.SearchConfig",
    "django_htmx",
    "apps.web",
]

MIDDLEWARE = [
    "apps.core.middleware.RequestIdMiddleware",
    "apps.core.middleware.MattermostApiMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.web.middleware.WebUserMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.web.context_processors.ui_preferences",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# Embedded default: one SQLite file under var/, switched to WAL by apps.core on connect.
# DATABASE_URL (postgres://...) switches to PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'confab.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Wait for a writer instead of failing at once; IMMEDIATE makes a write
            # transaction take the lock up front, so two writers queue, never deadlock.
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA foreign_keys=ON;",
        }
    )
else:
    # Django's persistent connections are per thread, and a server process has several:
    # the HTTP pool (CONFAB_HTTP_THREADS) and the executors WebSocket consumers reach the
    # database through. Under Django's ASGI handler, which started a thread per request,
    # CONN_MAX_AGE left a connection behind per request until PostgreSQL refused clients
    # (seen in the benchmark). A psycopg pool per process bounds them whatever the threads.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("CONFAB_DB_POOL_MIN", default=2),
        "max_size": env.int("CONFAB_DB_POOL_MAX", default=20),
        "timeout": env.int("CONFAB_DB_POOL_TIMEOUT_SECONDS", default=10),
    }
# Threads that run HTTP requests in each server process (config/asgi.py). Each holds a
# database connection while it works: keep it at or under CONFAB_DB_POOL_MAX. SQLite
# takes one writer at a time, so the embedded default runs fewer.
CONFAB_HTTP_THREADS = env.int(
    "CONFAB_HTTP_THREADS",
    default=2 if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else 4,
)
# Requests whose body is over CONFAB_HTTP_LARGE_BODY_BYTES run on threads of their own: a
# body streams in as fast as its client sends it, and a few slow uploads must not take
# every thread the rest of the API needs. Waiting threads cost little; a running one
# holds a database connection (count these against CONFAB_DB_POOL_MAX too).
CONFAB_HTTP_UPLOAD_THREADS = env.int("CONFAB_HTTP_UPLOAD_THREADS", default=8)
CONFAB_HTTP_LARGE_BODY_BYTES = env.int("CONFAB_HTTP_LARGE_BODY_BYTES", default=1024 * 1024)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, Celery broker ---------------------------------------------
# Embedded default (no REDIS_URL): the in-memory channel layer and a local-memory cache, which
# only work within one process. prod.py requires REDIS_URL and rebuilds these from it.
REDIS_URL = env.str("REDIS_URL", default="")


def channel_layers_for(redis_url: str) -> dict:
    if not redis_url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_url]},
        }
    }


def caches_for(redis_url: str) -> dict:
    if not redis_url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return {
        "default": {
            # Django's RedisCache with timeouts, counting in memory while Redis is away.
            "BACKEND": "apps.core.cache.FailSoftRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "confab",
        }
    }


CHANNEL_LAYERS = channel_layers_for(REDIS_URL)
CACHES = caches_for(REDIS_URL)

# --- REST API (Mattermost v4) ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.BearerTokenAuthentication",
        "apps.accounts.authentication.CookieTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Exactly `application/json`, no charset: the Mattermost clients compare the header.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.api.parsers.SafeJSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.api.throttling.ApiRateThrottle"],
    "EXCEPTION_HANDLER": "apps.core.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Confab API",
    "DESCRIPTION": "Mattermost-compatible REST API v4.",
    "VERSION": "4.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies are documented as JSON; the upload names multipart/form-data itself.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.describe_path_parameters",
    ],
    "TAGS": [
        {"name": "system", "description": "Health check."},
        {"name": "users", "description": "Accounts, sign-in and profiles."},
        {"name": "sessions", "description": "Sessions and personal access tokens."},
        {"name": "bots", "description": "Bot accounts."},
        {"name": "status", "description": "Presence status."},
        {"name": "preferences", "description": "User preferences."},
        {"name": "teams", "description": "Teams and team members."},
        {"name": "channels", "description": "Channels, channel members and read state."},
        {"name": "posts", "description": "Posts, threads, pins and saved posts."},
        {"name": "reactions", "description": "Emoji reactions."},
        {"name": "search", "description": "Post search."},
        {"name": "files", "description": "File upload, download and metadata."},
        {"name": "webhooks", "description": "Incoming webhooks."},
    ],
}

# --- Rate limits (SECURITY 6; apps/core/ratelimit.py) ----------------------------------------
# Each user (or, without a session, each address) may send CONFAB_RATE_LIMIT_BURST requests
# at once, then CONFAB_RATE_LIMIT_PER_SECOND a second; beyond, 429 with Retry-After. With a
# Redis URL every process shares the buckets.
CONFAB_RATE_LIMIT_ENABLED = env.bool("CONFAB_RATE_LIMIT_ENABLED", default=True)
CONFAB_RATE_LIMIT_PER_SECOND = env.float("CONFAB_RATE_LIMIT_PER_SECOND", default=10.0)
CONFAB_RATE_LIMIT_BURST = env.int("CONFAB_RATE_LIMIT_BURST", default=100)
CONFAB_RATE_LIMIT_REDIS_URL = env.str("CONFAB_RATE_LIMIT_REDIS_URL", default=REDIS_URL)
# Reverse proxies (hosts or CIDRs) whose X-Forwarded-For names the real client.
CONFAB_TRUSTED_PROXIES = env.list("CONFAB_TRUSTED_PROXIES", default=[])
for _proxy in CONFAB_TRUSTED_PROXIES:  # a typo must stop the start, not every request
    ipaddress.ip_network(_proxy.strip(), strict=False)

# --- Integrations -----------------------------------------------------------------------------
# All the outgoing webhook calls one post causes share this many seconds; later ones are skipped.
CONFAB_OUTGOING_WEBHOOKS_SECONDS_PER_POST = env.int(
    "CONFAB_OUTGOING_WEBHOOKS_SECONDS_PER_POST", default=30
)

# --- Realtime (the per-process WebSocket hub; see apps/realtime) -----------------------------
# With a Redis URL every process publishes events to one pub/sub channel and holds one
# subscription to it; without, events stay in the process (the embedded mode).
CONFAB_REALTIME_REDIS_URL = env.str("CONFAB_REALTIME_REDIS_URL", default=REDIS_URL)
CONFAB_REALTIME_REDIS_CHANNEL = env.str("CONFAB_REALTIME_REDIS_CHANNEL", default="confab:realtime")
CONFAB_REALTIME_TICK_SECONDS = env.int("CONFAB_REALTIME_TICK_SECONDS", default=30)
CONFAB_AWAY_AFTER_SECONDS = env.int("CONFAB_AWAY_AFTER_SECONDS", default=300)
CONFAB_WEBSOCKET_MAX_FRAME_BYTES = 64 * 1024
CONFAB_WEBSOCKET_SEND_QUEUE = 1000
CONFAB_WEBSOCKET_SEND_QUEUE_BYTES = 8 * 1024 * 1024
CONFAB_WEBSOCKET_SEND_BUFFER_BYTES = 256 * 1024
CONFAB_WEBSOCKET_AUTH_TIMEOUT_SECONDS = 60
# A socket the server closed gets this long to take what it was sent, then it is reset.
CONFAB_WEBSOCKET_CLOSE_TIMEOUT_SECONDS = 30
# A dropped socket's connection keeps queueing events this long; a client that reconnects
# with its connection_id and sequence_number gets what it missed (else a new hello: reload).
CONFAB_WEBSOCKET_RESUME_SECONDS = env.int("CONFAB_WEBSOCKET_RESUME_SECONDS", default=120)
CONFAB_WEBSOCKET_RESUME_FRAMES = 128
CONFAB_WEBSOCKET_PARKED_PER_USER = 4

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
CONFAB_PASSWORD_MIN_LENGTH = env.int("CONFAB_PASSWORD_MIN_LENGTH", default=8)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": CONFAB_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env.int("CONFAB_SESSION_AGE_SECONDS", default=30 * 24 * 3600)
# A session unused this long stops working before its absolute age; 0 turns this off.
CONFAB_SESSION_IDLE_SECONDS = env.int("CONFAB_SESSION_IDLE_SECONDS", default=7 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "/admin/login/"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
# The web client's languages; each user picks one (User.locale, Mattermost's codes), and
# before sign-in the browser's Accept-Language chooses (LocaleMiddleware).
LANGUAGES = [
    ("en", "English"),
    ("ko", "한국어"),
    ("zh-hans", "中文 (简体)"),
    ("fr", "Français"),
]
LOCALE_PATHS = [BASE_DIR / "apps" / "web" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files and static assets ------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("CONFAB_FILES_DIR", default=str(VAR_DIR / "files")))
MEDIA_URL = "/files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Content-Security-Policy (SECURITY 16) ----------------------------------------------------
# No inline script or style anywhere: every script and stylesheet is a file under 'self',
# theme colours included (served as a stylesheet). Pages are never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- E-mail ---------------------------------------------------------------------------------
# Embedded default: every message is written as a file under var/mail/.
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url_config(EMAIL_URL))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("CONFAB_FROM_EMAIL", default="Confab <confab@localhost>")

# --- Celery ---------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport under var/celery/, so `make run` needs no
# broker service yet still runs a real worker and beat. Production points at Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
# Redis: a broker that stops answering fails a send within seconds instead of holding the
# request that queued it (SECURITY 23; the search receivers then index inline). Other
# transports ignore these.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "connect_retries_timeout": 2,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_queue_dir = VAR_DIR / "celery"
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(_celery_queue_dir / "queue"),
        "data_folder_out": str(_celery_queue_dir / "queue"),
        "processed_folder": str(_celery_queue_dir / "processed"),
        "control_folder": str(_celery_queue_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "purge-expired-sessions": {
        "task": "apps.accounts.tasks.session_purge_expired_task",
        "schedule": crontab(hour=3, minute=17),
    },
    "purge-expired-command-response-urls": {
        "task": "apps.integrations.tasks.command_webhook_purge_expired_task",
        "schedule": crontab(minute=41),
    },
    # Index recent posts whose index task was lost with the broker (SECURITY 23).
    "search-catch-up": {
        "task": "apps.search.tasks.search_catch_up_task",
        "schedule": crontab(minute="*/10"),
    },
}

# --- Confab limits (Mattermost defaults) -------------------------------------------------------
CONFAB_POST_MAX_RUNES = env.int("CONFAB_POST_MAX_RUNES", default=16383)
CONFAB_GROUP_MESSAGE_MAX_USERS = 8
# Integrations may show another name or icon on their posts only when these are on.
CONFAB_ENABLE_POST_USERNAME_OVERRIDE = env.bool(
    "CONFAB_ENABLE_POST_USERNAME_OVERRIDE", default=False
)
CONFAB_ENABLE_POST_ICON_OVERRIDE = env.bool("CONFAB_ENABLE_POST_ICON_OVERRIDE", default=False)
# Hosts or CIDRs that outbound requests (webhooks, commands) may reach although private.
CONFAB_OUTBOUND_ALLOWED_HOSTS = env.list("CONFAB_OUTBOUND_ALLOWED_HOSTS", default=[])
CONFAB_MAX_FILE_SIZE = env.int("CONFAB_MAX_FILE_SIZE", default=100 * 1024 * 1024)
CONFAB_MAX_IMAGE_RESOLUTION = env.int("CONFAB_MAX_IMAGE_RESOLUTION", default=7680 * 4320)

# Every handler redacts the secrets of URLs (webhook ids, invite ids, tokens; SECURITY 26).
# Django's loggers lose the default handlers Django gives them (unfiltered) and hand their
# records to root's; config/asgi.py does the same for daphne's access log.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "apps.core.log_redaction.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
    },
    "root": {"handlers": ["console"], "level": env.str("CONFAB_LOG_LEVEL", default="INFO")},
}

# Security headers that hold everywhere; prod.py adds the TLS ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
APPEND_SLASH = True
