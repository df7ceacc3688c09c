"""Rebuild the post search index from the posts table."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from apps.posts.models import Post
from apps.search.models import PostSearchEntry
from apps.search.services import (
    BULK_BATCH,
    SYSTEM_POST_PREFIX,
    search_clear,
    search_index_new_posts,
    search_index_posts,
)


class Command(BaseCommand):
    help = (
        "Empty the post search index and index every live post again, in batches. "
        "Posts written while it runs are indexed by their own tasks; run it when the "
        "index is missing or suspect (after a restore, or a change to the tokenizer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BULK_BATCH,
            help=f"Posts read and indexed per batch (default {BULK_BATCH}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        live = (
            Post.objects.filter(delete_at=0)
            .exclude(type__startswith=SYSTEM_POST_PREFIX)
            .order_by("id")
        )
        search_clear()
        indexed = 0
        last_id = ""
        while True:
            # Keyset paging on the id: stable while posts are added, and each batch is
            # one indexed range scan however far in the table it is.
            batch = list(live.filter(id__gt=last_id)[:batch_size])
            if not batch:
                break
            indexed += self._index(batch)
            last_id = batch[-1].id
            self.stdout.write(f"Indexed {indexed:,} posts…")
        self.stdout.write(self.style.SUCCESS(f"Reindexed {indexed:,} posts."))

    def _index(self, batch: list[Post]) -> int:
        """Index a batch in bulk, leaving alone the posts that their own after-commit
        tasks indexed since the index was cleared (posts written during the run)."""
        ids = [post.id for post in batch]
        done = set(
            PostSearchEntry.objects.filter(post_id__in=ids).values_list("post_id", flat=True)
        )
        new = [post for post in batch if post.id not in done]
        try:
            return len(done) + search_index_new_posts(new)
        except IntegrityError:
            # A task indexed one of them in between; the idempotent path settles the batch.
            return search_index_posts(post_ids=ids)
