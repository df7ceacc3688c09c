"""Signals other apps may listen to, so that `apps.posts` never imports them.

Integrations (outgoing webhooks) react to new posts this way: posts know nothing of
integrations, and the dependency keeps pointing from integrations down to posts.
"""

import django.dispatch

# Sent once a new post's transaction has committed (never on rollback), with the keyword
# argument `post_id`. Receivers run in the request or task that made the post, so they
# must be quick: filter cheaply and enqueue real work (a Celery task), never call out.
# A receiver that raises is logged and does not fail the post, which is already stored.
post_created = django.dispatch.Signal()

# Sent once an edit or a deletion has committed, with the keyword argument `post_ids`
# (a list: deleting a thread's root deletes its replies too). Same rules as above.
posts_changed = django.dispatch.Signal()
