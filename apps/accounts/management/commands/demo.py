"""Fill an empty server with a believable team for a quick look around."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.services.users import user_create
from apps.channels.models import Channel
from apps.channels.services import (
    channel_create,
    channel_get_or_create_direct,
    channel_member_add,
    channel_update,
)
from apps.posts.services import post_create, post_set_pinned, reaction_add
from apps.teams.models import Team
from apps.teams.services import team_create, team_member_add

DEMO_PASSWORD = "demo-password-1"  # noqa: S105  (printed to the operator; demo data only)
PEOPLE = [
    ("alice", "Alice", "Martin"),
    ("bob", "Bob", "Kim"),
    ("carol", "Carol", "Chen"),
    ("dave", "Dave", "Dubois"),
]


class Command(BaseCommand):
    help = "Create demo users, a team, channels and conversation (safe to run twice)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        if Team.objects.filter(name="demo").exists():
            self.stdout.write("Demo data is already there.")
            return
        users = {}
        for username, first, last in PEOPLE:
            users[username] = User.objects.filter(username=username).first() or user_create(
                username=username,
                email=f"{username}@example.com",
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
            )
        alice, bob, carol, dave = (users[p[0]] for p in PEOPLE)
        team = team_create(actor=alice, name="demo", display_name="Demo Team")
        for user in (bob, carol, dave):
            team_member_add(actor=alice, team_id=team.id, user_id=user.id)
        town_square = Channel.objects.get(team=team, name="town-square")
        channel_update(
            actor=alice,
            channel_id=town_square.id,
            patch={"header": "Welcome to **Confab**, the chat you host yourself."},
        )
        release = channel_create(
            actor=alice, team=team, name="release", display_name="Release", channel_type="P"
        )
        channel_member_add(actor=alice, channel_id=release.id, user_id=bob.id)

        hello = post_create(
            actor=alice, channel=town_square, message="Good morning everyone! :wave:"
        )
        reaction_add(actor=bob, post_id=hello.id, emoji_name="wave")
        question = post_create(
            actor=bob,
            channel=town_square,
            message="@carol could you look at the #deploy checklist before noon?",
        )
        post_create(actor=carol, channel=town_square, message="On it.", root_id=question.id)
        post_create(
            actor=dave, channel=town_square, message="Thanks both, @channel lunch at 12:30?"
        )
        plan = post_create(
            actor=alice, channel=release, message="Release 1.0 plan:\n1. freeze\n2. tag\n3. ship"
        )
        post_set_pinned(actor=alice, post_id=plan.id, pinned=True)
        dm = channel_get_or_create_direct(actor=alice, other_user_id=bob.id)
        post_create(actor=alice, channel=dm, message="Bob, do you have a minute?")

        self.stdout.write(self.style.SUCCESS("Demo data created."))
        self.stdout.write(
            f"Sign in as {', '.join(p[0] for p in PEOPLE)} with the password {DEMO_PASSWORD!r}."
        )
        admin = User.objects.filter(roles__contains="system_admin").order_by("create_at").first()
        if admin is not None:
            self.stdout.write(f"The system admin is @{admin.username}.")
