"""The people and places the server benchmarks use, seeded through the services.

One open team, one channel that every benchmark user belongs to, and a session token per
user. Tokens exist in clear only when created, so they are kept in a file beside the
results; a later run reuses the database and the file instead of seeding again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bench.harness import DATABASE_NAME, RESULTS_DIR, log

TEAM = "bench"
CHANNEL = "fanout"
ADMIN = "benchadmin"
WORLD_VERSION = 1


@dataclass
class World:
    team_id: str
    channel_id: str
    users: list[dict]  # {"id", "username", "token"}, the admin first

    def tokens(self, count: int) -> list[str]:
        return [u["token"] for u in self.users[1 : count + 1]]


def _tokens_file(name: str):
    return RESULTS_DIR / f"world-{name}.json"


def load_or_seed(users: int, *, name: str = DATABASE_NAME) -> World:
    """A world with at least `users` members (besides the admin), seeded when missing.

    Runs in the orchestrating process after `harness.setup_django()`.
    """
    saved = _tokens_file(name)
    if saved.exists():
        data = json.loads(saved.read_text())
        if data.get("version") == WORLD_VERSION and len(data["users"]) > users:
            world = World(data["team_id"], data["channel_id"], data["users"])
            if _still_there(world):
                return world
    return _seed(users, name=name)


def _still_there(world: World) -> bool:
    from apps.accounts.models import User
    from apps.channels.models import ChannelMember

    wanted = [u["id"] for u in world.users]
    return User.objects.filter(id__in=wanted).count() == len(
        wanted
    ) and ChannelMember.objects.filter(channel_id=world.channel_id).count() >= len(wanted)


def _seed(users: int, *, name: str) -> World:
    from apps.accounts.models import User
    from apps.accounts.services.sessions import session_create
    from apps.accounts.services.users import user_create
    from apps.channels.models import Channel
    from apps.channels.services import channel_create, channel_join
    from apps.teams.models import Team
    from apps.teams.services import team_create, team_join

    log(f"  seeding {users:,} users through the services")
    admin = User.objects.filter(username=ADMIN).first() or user_create(
        username=ADMIN, email=f"{ADMIN}@bench.invalid", password=None
    )
    team = Team.objects.filter(name=TEAM).first() or team_create(
        actor=admin, name=TEAM, display_name="Bench"
    )
    channel = Channel.objects.filter(team=team, name=CHANNEL).first() or channel_create(
        actor=admin, team=team, name=CHANNEL, display_name="Fan-out"
    )
    people = [admin]
    existing = {u.username: u for u in User.objects.filter(username__startswith="bench")}
    for number in range(1, users + 1):
        username = f"bench{number:05d}"
        user = existing.get(username) or user_create(
            username=username, email=f"{username}@bench.invalid", password=None
        )
        team_join(actor=user, team_id=team.id)
        channel_join(actor=user, channel_id=channel.id)
        people.append(user)
        if number % 250 == 0:
            log(f"    {number:,} users")
    records = []
    for user in people:
        _session, token = session_create(user=user, device_id="bench")
        records.append({"id": user.id, "username": user.username, "token": token})
    world = World(team.id, channel.id, records)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    _tokens_file(name).write_text(
        json.dumps(
            {
                "version": WORLD_VERSION,
                "team_id": world.team_id,
                "channel_id": world.channel_id,
                "users": records,
            }
        )
    )
    return world
