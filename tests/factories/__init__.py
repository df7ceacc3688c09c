"""Builders for test data. Anything with an invariant goes through the services."""

import factory

from apps.accounts.models import User
from apps.accounts.services.users import user_create
from apps.channels.services import channel_create
from apps.teams.services import team_create


class UserFactory(factory.Factory):
    """Users are made by `user_create`, so the first one is a system admin as in
    production; later admins get the role through `user_update_roles`."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = "Correct-Horse-7"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return user_create(**kwargs)

    _build = _create


def make_team(owner: User, name: str = "acme", display_name: str = "Acme", **kwargs):
    return team_create(actor=owner, name=name, display_name=display_name, **kwargs)


def make_channel(actor: User, team, name: str, channel_type: str = "O", **kwargs):
    return channel_create(
        actor=actor,
        team=team,
        name=name,
        display_name=name.title(),
        channel_type=channel_type,
        **kwargs,
    )
