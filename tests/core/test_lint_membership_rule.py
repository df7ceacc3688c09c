"""tools/lint_rules.py: membership rows are written by their own app only (issue 13, §2).
The rule follows a queryset through a name, which a line-by-line regex cannot."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_rules():
    spec = importlib.util.spec_from_file_location("lint_rules", ROOT / "tools" / "lint_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


lint_rules = _lint_rules()


def _flagged_lines(rel: str, source: str) -> list[int]:
    return [int(f.split(":")[1]) for f in lint_rules.membership_write_failures(rel, source)]


# What teams' services did before channels took the job over (commit 38e751c).
TEAM_LEAVE_BEFORE = """
def team_member_remove(*, actor, team, target):
    left = ChannelMember.objects.filter(channel__team=team, user=target)
    left_channel_ids = list(left.values_list("channel_id", flat=True))
    Channel.objects.lock_rows(left_channel_ids)
    left.delete()
"""


def test_a_queryset_deleted_through_a_name_is_caught():
    assert _flagged_lines("apps/teams/services.py", TEAM_LEAVE_BEFORE) == [6]


def test_the_owner_app_may_write_its_memberships():
    assert _flagged_lines("apps/channels/services.py", TEAM_LEAVE_BEFORE) == []


@pytest.mark.parametrize(
    "source",
    [
        "ChannelMember.objects.create(channel=c, user=u)",
        "ChannelMember.objects.bulk_create(rows)",
        "ChannelMember.objects.get_or_create(channel=c, user=u)",
        "ChannelMember.objects.update_or_create(channel=c, user=u)",
        "ChannelMember.objects.filter(channel=c).update(mention_count=0)",
        "(\n    ChannelMember.objects.filter(channel=c)\n    .exclude(user=u)\n    .delete()\n)",
        "ChannelMember(channel=c, user=u).save(force_insert=True)",
        "user.channel_memberships.all().delete()",
        "channel.members.filter(user=u).delete()",
        "m = ChannelMember.objects.filter(user=u).first()\nm.save(update_fields=['x'])",
        "for m in ChannelMember.objects.filter(user=u):\n    m.delete()",
        "qs = ChannelMember.objects.all()\nmine = qs.filter(user=u)\nmine.delete()",
        "TeamMember.objects.filter(user=u).update(delete_at=1)",
    ],
)
def test_writes_to_another_apps_memberships_are_caught(source):
    assert _flagged_lines("apps/posts/services.py", source)


@pytest.mark.parametrize(
    "source",
    [
        "ids = list(ChannelMember.objects.filter(user=u).values_list('channel_id', flat=True))",
        "ChannelMember.objects.filter(channel=c, user=u).mark_read(at=1)",
        "Channel.objects.lock_rows(ids)",
        "post.save(update_fields=['message'])",
        "Post.objects.filter(id=p).update(is_pinned=True)",
    ],
)
def test_reads_locks_and_the_owners_counter_methods_pass(source):
    assert _flagged_lines("apps/posts/services.py", source) == []


def test_team_memberships_belong_to_teams():
    source = "TeamMember.objects.get_or_create(team=t, user=u)"
    assert _flagged_lines("apps/teams/services.py", source) == []
    assert _flagged_lines("apps/channels/services.py", source) == [1]
