"""Server-wide `create_at` index: BRIN on PostgreSQL instead of a B-tree.

With a B-tree on `create_at` alone, PostgreSQL planned page 0 of a channel holding most
of the posts as a backward walk of that index, filtering out every newer post of the
other channels: 4,766 rows read for 61 in the benchmark, 15,465 a few runs later, and
growing. A BRIN index still serves the age ranges of retention and export (posts arrive
in `create_at` order, so block ranges are tight) and is a few pages in size, but it
gives no order, so channel history always takes (channel, -create_at, -id). The
console's newest-first list of all posts sorts instead (top-N, tens of ms per 100k).

SQLite has no BRIN; the embedded default keeps a plain index.
"""

from django.db import migrations

BRIN = "CREATE INDEX IF NOT EXISTS posts_create_brin ON posts_post USING brin (create_at)"
PLAIN = "CREATE INDEX IF NOT EXISTS posts_create ON posts_post (create_at)"


def create_index(apps, schema_editor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(BRIN if postgres else PLAIN)


def drop_index(apps, schema_editor) -> None:
    postgres = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(
        "DROP INDEX IF EXISTS posts_create_brin"
        if postgres
        else "DROP INDEX IF EXISTS posts_create"
    )


class Migration(migrations.Migration):
    dependencies = [("posts", "0003_channel_history_index")]

    operations = [
        migrations.RemoveIndex(model_name="post", name="posts_create"),
        migrations.RunPython(create_index, drop_index),
    ]
