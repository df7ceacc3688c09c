"""ASGI entry point: HTTP and WebSocket on one port (daphne).

WebSockets are Channels consumers on the event loop (DESIGN.md "Realtime"). HTTP requests
go to Django's WSGI handler on a pool of CONFAB_HTTP_THREADS threads, through a2wsgi
(large uploads on a pool of their own, config/http_threads.py):
every view and middleware of Confab is synchronous, and Django's ASGI handler would move
each request between threads three times (into the middleware, out to the event loop
for the async core, back in for the view) and start a thread per request. Measured in
process on a history page: 15.0 ms CPU per request through the ASGI handler, 11.5 ms
through the thread pool; and requests waiting on PostgreSQL no longer hold up the
others, as they did queued on the ASGI handler's single thread.

Defaults to production settings; `make run` sets DJANGO_SETTINGS_MODULE to the dev module.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

from channels.routing import ProtocolTypeRouter
from django.conf import settings
from django.core.wsgi import get_wsgi_application

from apps.core.log_redaction import install_access_log_redaction
from config import daphne_streaming
from config.http_threads import LargeBodiesApart, exit_after_daphne_stops

# Daphne's access log, written outside Python logging, redacts the secrets of URLs (webhook
# ids, invite ids, tokens) as the LOGGING filter does (apps/core/log_redaction.py).
install_access_log_redaction()

# Under daphne, request bodies stream to Django in bounded memory, and a request Confab
# refuses is answered before its body is read (config/daphne_streaming.py).
daphne_streaming.install()

http_application = LargeBodiesApart(
    get_wsgi_application(),
    threads=settings.CONFAB_HTTP_THREADS,
    upload_threads=settings.CONFAB_HTTP_UPLOAD_THREADS,
    large=settings.CONFAB_HTTP_LARGE_BODY_BYTES,
)
exit_after_daphne_stops(http_application)

# Imported once Django is set up: the consumer imports models.
from apps.realtime.routing import websocket_application  # noqa: E402

# /api/v4/websocket/ with an optional slash, behind an Origin check that refuses a present
# Origin outside ALLOWED_HOSTS and lets an absent one through (Mattermost's clients send
# none); every other WebSocket path is refused.
application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application()})
