"""The realtime settings, read when used (never at import) with their documented defaults.

The defaults here match `config/settings/base.py`; a deployment changes them there, through
the environment.
"""

from django.conf import settings


def redis_url() -> str:
    """Where the hubs meet; empty means the embedded, single-process mode."""
    url = getattr(settings, "CONFAB_REALTIME_REDIS_URL", None)
    return settings.REDIS_URL if url is None else url


def redis_channel() -> str:
    """The one Redis pub/sub channel every process publishes to and subscribes to."""
    return getattr(settings, "CONFAB_REALTIME_REDIS_CHANNEL", "confab:realtime")


def max_frame_bytes() -> int:
    """The largest frame a client may send (SECURITY 20); bigger ones close the socket."""
    return getattr(settings, "CONFAB_WEBSOCKET_MAX_FRAME_BYTES", 64 * 1024)


def send_queue_size() -> int:
    """Frames waiting for one connection; a client that falls this far behind is dropped."""
    return getattr(settings, "CONFAB_WEBSOCKET_SEND_QUEUE", 1000)


def send_queue_bytes() -> int:
    """Bytes one connection may hold unsent in all: its queue plus what the transport has
    not delivered (daphne's buffer and the kernel's send queue). Past it the client is
    dropped (4013), however small its events."""
    return getattr(settings, "CONFAB_WEBSOCKET_SEND_QUEUE_BYTES", 8 * 1024 * 1024)


def send_buffer_bytes() -> int:
    """Bytes handed to the transport and not yet taken by the client before the queue
    stops draining into it (part of the budget above, not on top of it)."""
    return getattr(settings, "CONFAB_WEBSOCKET_SEND_BUFFER_BYTES", 256 * 1024)


def close_timeout_seconds() -> float:
    """How long a socket the server closed gets to take what it was sent, the close frame
    last, and close its end; then its TCP connection is reset, and what it held freed."""
    return getattr(settings, "CONFAB_WEBSOCKET_CLOSE_TIMEOUT_SECONDS", 30)


def auth_timeout_seconds() -> float:
    """How long a socket may stay open without authenticating."""
    return getattr(settings, "CONFAB_WEBSOCKET_AUTH_TIMEOUT_SECONDS", 60)


def away_after_seconds() -> int:
    """Inactivity after which an automatic `online` becomes `away`."""
    return getattr(settings, "CONFAB_AWAY_AFTER_SECONDS", 300)


def tick_seconds() -> float:
    """How often the hub checks presence, idle users and sessions."""
    return getattr(settings, "CONFAB_REALTIME_TICK_SECONDS", 30)


def resume_seconds() -> float:
    """How long a dropped socket's connection is kept, still queueing its events, for the
    client to reconnect with its `connection_id` and miss nothing (SECURITY 22)."""
    return getattr(settings, "CONFAB_WEBSOCKET_RESUME_SECONDS", 120)


def resume_frames() -> int:
    """Events sent on a connection that are kept to be sent again after a reconnect, for
    a client that lost them in flight (Mattermost's dead queue holds 128)."""
    return getattr(settings, "CONFAB_WEBSOCKET_RESUME_FRAMES", 128)


def parked_per_user() -> int:
    """Dropped connections kept per user in one process; the oldest goes first."""
    return getattr(settings, "CONFAB_WEBSOCKET_PARKED_PER_USER", 4)
