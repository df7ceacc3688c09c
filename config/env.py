"""The one place that reads the process environment.

Every setting that can change between machines comes from here, so a reader can find
all configuration knobs in `config/settings/base.py` and nowhere else.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Where the embedded mode keeps its state (SQLite, uploads, mail, celery queues).
VAR_DIR = Path(env.str("CONFAB_VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
# The embedded SQLite file and the test databases live here; make sure it exists.
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = "production"


def confab_env() -> str:
    """Return the deployment flag: "production" or "development" (the default)."""
    return env.str("CONFAB_ENV", default="development").strip().lower()
