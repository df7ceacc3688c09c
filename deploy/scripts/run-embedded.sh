#!/usr/bin/env bash
# The embedded mode on one machine: a Celery worker with its beat scheduler in the
# background (filesystem queue under var/celery/, no broker service) and daphne serving
# HTTP and WebSocket on one port in the foreground. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BIN:-.venv/bin}
HOST=${CONFAB_HOST:-127.0.0.1}
PORT=${CONFAB_PORT:-8065}
VAR=${CONFAB_VAR_DIR:-var}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.dev}

# The address daphne really binds, written as a URL: "localhost" for the loopback default,
# brackets around an IPv6 address.
case "$HOST" in
    127.0.0.1) URL_HOST=localhost ;;
    *:*) URL_HOST="[$HOST]" ;;
    *) URL_HOST=$HOST ;;
esac

mkdir -p "$VAR/celery/queue" "$VAR/celery/processed" "$VAR/celery/control" "$VAR/mail" "$VAR/files" "$VAR/log"

"$BIN/celery" -A config worker --beat --pool=solo --loglevel=INFO \
    --schedule "$VAR/celery/beat-schedule" >>"$VAR/log/celery.log" 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Confab is running at http://$URL_HOST:$PORT
  System console:       http://$URL_HOST:$PORT/admin/
  Background jobs:      Celery worker + beat (log: $VAR/log/celery.log)

  Create the first account (it becomes the system admin):
      $BIN/python manage.py createuser <username> <email>
  or fill in demo data:  make demo

MSG

"$BIN/daphne" -b "$HOST" -p "$PORT" config.asgi:application
