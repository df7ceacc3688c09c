import itertools

import pytest

from apps.core.timeutils import now_ms
from tests.channels.world import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def clock(monkeypatch) -> None:
    """Post writes tick one millisecond per timestamp, so newest-first orders and `since`
    cut-offs never depend on two posts landing in the same millisecond."""
    ticks = itertools.count(now_ms() + 1)
    monkeypatch.setattr("apps.posts.services.now_ms", lambda: next(ticks))
