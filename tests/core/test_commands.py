"""The management commands an operator uses on a fresh server."""

import pytest
from django.core.management import CommandError, call_command

from apps.accounts.models import User
from apps.channels.models import Channel
from apps.posts.models import Post
from apps.teams.models import Team

pytestmark = pytest.mark.django_db


def test_createuser_makes_the_first_account_a_system_admin(capsys):
    call_command("createuser", "alice", "alice@example.com", password="Correct-Horse-7")
    call_command("createuser", "bob", "bob@example.com", password="Correct-Horse-7")
    assert User.objects.get(username="alice").is_system_admin
    assert not User.objects.get(username="bob").is_system_admin
    assert "Created system admin @alice" in capsys.readouterr().out


def test_createuser_system_admin_flag_makes_a_later_account_admin(capsys):
    call_command("createuser", "alice", "alice@example.com", password="Correct-Horse-7")
    call_command(
        "createuser", "bob", "bob@example.com", password="Correct-Horse-7", system_admin=True
    )
    assert User.objects.get(username="bob").is_system_admin
    assert "Created system admin @bob" in capsys.readouterr().out


def test_createsuperuser_makes_a_later_account_admin(monkeypatch):
    call_command("createuser", "alice", "alice@example.com", password="Correct-Horse-7")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Correct-Horse-8")
    call_command("createsuperuser", interactive=False, username="boss", email="boss@example.com")
    boss = User.objects.get(username="boss")
    assert boss.is_system_admin
    assert boss.check_password("Correct-Horse-8")


def test_createuser_reports_invalid_input_and_creates_nothing():
    with pytest.raises(CommandError, match="Username must"):
        call_command("createuser", "x", "x@example.com", password="Correct-Horse-7")
    assert not User.objects.exists()


def test_demo_fills_a_team_and_is_safe_to_run_twice(capsys):
    call_command("demo")
    team = Team.objects.get(name="demo")
    assert Channel.objects.filter(team=team, name="town-square").exists()
    assert Channel.objects.filter(team=team, name="release", type="P").exists()
    assert Channel.objects.filter(type="D").count() == 1
    posts = Post.objects.count()
    assert posts > 5
    assert User.objects.get(username="alice").is_system_admin
    call_command("demo")
    assert Post.objects.count() == posts
    assert "already there" in capsys.readouterr().out
