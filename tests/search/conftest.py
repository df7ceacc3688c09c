"""Fixtures for search: a world of users and channels, posts made through the one write
path with their after-commit indexing run, and a search helper."""

import datetime

import pytest

from apps.posts.models import Post
from apps.search.grammar import parse_search
from apps.search.selectors import post_search
from tests.channels.world import World, build_world, say


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def posted(django_capture_on_commit_callbacks):
    """`posted(actor, channel, message)`: post, commit, and index (the Celery task runs
    eagerly in tests), as the API would."""

    def post(actor, channel, message: str, **kwargs) -> Post:
        with django_capture_on_commit_callbacks(execute=True):
            return say(actor, channel, message, **kwargs)

    return post


@pytest.fixture
def search(world):
    """`search(actor, terms)`: the messages found, newest first."""

    def run(actor, terms: str, *, team=None, everywhere=False, tz=datetime.UTC, **kwargs):
        query = parse_search(terms, is_or_search=kwargs.pop("is_or_search", False), time_zone=tz)
        team_id = None if everywhere else (team or world.team).id
        results = post_search(actor=actor, query=query, team_id=team_id, **kwargs)
        return [p.message for p in results.posts]

    return run
