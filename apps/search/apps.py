from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "apps.search"
    label = "search"

    def ready(self) -> None:
        from apps.posts.signals import post_created, posts_changed
        from apps.search import receivers

        post_created.connect(receivers.post_created_index, dispatch_uid="search-post-created")
        posts_changed.connect(receivers.posts_changed_index, dispatch_uid="search-posts-changed")
