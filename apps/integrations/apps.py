from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "apps.integrations"
    label = "integrations"

    def ready(self) -> None:
        from apps.integrations.receivers import outgoing_webhooks_enqueue
        from apps.posts.signals import post_created

        post_created.connect(
            outgoing_webhooks_enqueue, dispatch_uid="integrations.outgoing_webhooks_enqueue"
        )
