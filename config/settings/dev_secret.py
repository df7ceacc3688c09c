"""The development secret key, kept apart so prod.py can refuse it without importing dev.py."""

DEV_SECRET_KEY = "dev-insecure-confab-secret-key-do-not-use-in-production"  # noqa: S105
