"""Settings come from the environment; production refuses unsafe defaults."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = secrets.token_urlsafe(50)


def _load_settings(module: str, **env: str) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter with exactly this environment."""
    clean_env = {
        "PATH": os.environ["PATH"],
        "CONFAB_VAR_DIR": os.environ.get("CONFAB_VAR_DIR", str(ROOT / "var")),
        **env,
    }
    code = (
        f"import importlib, json; s = importlib.import_module({module!r}); "
        "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], "
        "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'broker': s.CELERY_BROKER_URL, "
        "'cache': s.CACHES['default']['BACKEND'], 'email': s.EMAIL_BACKEND}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env, capture_output=True, text=True
    )


def test_embedded_defaults_need_no_services():
    result = _load_settings("config.settings.dev")
    assert result.returncode == 0, result.stderr
    assert '"db": "django.db.backends.sqlite3"' in result.stdout
    assert "InMemoryChannelLayer" in result.stdout
    assert '"broker": "filesystem://"' in result.stdout
    assert "filebased.EmailBackend" in result.stdout


def test_service_urls_switch_to_postgresql_and_redis():
    result = _load_settings(
        "config.settings.dev",
        DATABASE_URL="postgres://confab@db.example:5432/confab",
        REDIS_URL="redis://cache.example:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert "postgresql" in result.stdout
    assert "channels_redis" in result.stdout
    assert '"broker": "redis://cache.example:6379/0"' in result.stdout
    assert "RedisCache" in result.stdout


def test_embedded_sqlite_runs_in_wal_mode(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    env = {
        "PATH": os.environ["PATH"],
        "CONFAB_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"
    assert (tmp_path / "confab.sqlite3").exists()


PROD_ENV = {
    "DJANGO_SECRET_KEY": GOOD_SECRET,
    "DJANGO_ALLOWED_HOSTS": "chat.example.com",
    "DATABASE_URL": "postgres://confab@db.example:5432/confab",
    "REDIS_URL": "redis://cache.example:6379/0",
}


def test_production_starts_with_real_secrets():
    result = _load_settings("config.settings.prod", **PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout


def test_production_uses_redis_for_realtime_cache_and_jobs():
    result = _load_settings("config.settings.prod", **PROD_ENV)
    assert result.returncode == 0, result.stderr
    assert "channels_redis" in result.stdout
    assert "RedisCache" in result.stdout
    assert '"broker": "redis://cache.example:6379/0"' in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY"),
        (
            {"DJANGO_SECRET_KEY": "dev-insecure-confab-secret-key-do-not-use-in-production"},
            "DJANGO_SECRET_KEY",
        ),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "a" * 64}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"REDIS_URL": ""}, "REDIS_URL"),
    ],
)
def test_production_refuses_unsafe_configuration(override, message):
    env = {**PROD_ENV, **override}
    env = {k: v for k, v in env.items() if v is not None}
    result = _load_settings("config.settings.prod", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_flag_refuses_development_settings():
    result = _load_settings("config.settings.dev", CONFAB_ENV="production")
    assert result.returncode != 0
    assert "CONFAB_ENV=production" in result.stderr


def test_passwords_are_hashed_with_argon2_outside_tests():
    code = (
        "import django; django.setup(); from django.contrib.auth.hashers import make_password; "
        "print(make_password('Correct-Horse-7'))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "CONFAB_VAR_DIR": os.environ.get("CONFAB_VAR_DIR", str(ROOT / "var")),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("argon2$argon2id$")
