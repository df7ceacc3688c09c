from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "apps.realtime"
    label = "realtime"
    verbose_name = "Realtime events"

    def ready(self) -> None:
        # The event catalogue: every app declares its events in its `events.py`.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("events")
        # Every process hands published events to the hub transport: a web process to its
        # own sockets (or to Redis), a Celery worker or a command to Redis.
        from apps.realtime import publish
        from apps.realtime.hub import on_published

        publish.subscribe(on_published)
