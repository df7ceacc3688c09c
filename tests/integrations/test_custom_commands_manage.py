"""Custom slash commands: create, update, delete, regen token, who manages them, the console."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.errors import AlreadyExists, InvalidInput, PermissionDenied
from apps.core.ids import is_valid_id
from apps.integrations import services_custom_commands
from apps.integrations.models import Command
from apps.integrations.services_custom_commands import (
    command_create,
    command_delete,
    command_regen_token,
    command_update,
)

pytestmark = pytest.mark.django_db


# --- managing ---------------------------------------------------------------------------------


def test_create_trims_and_lowercases_the_trigger_and_gives_a_token(world):
    command = command_create(
        actor=world.carol,
        team_id=world.team.id,
        trigger="  Weather ",
        url="https://example.com/weather",
        method="G",
        auto_complete=True,
    )

    assert (command.trigger, command.method, command.creator_id) == ("weather", "G", world.carol.id)
    assert is_valid_id(command.token) and command.team_id == world.team.id
    assert command.auto_complete and command.delete_at == 0


def test_a_trigger_is_unique_among_the_live_commands_of_a_team(world, deploy):
    with pytest.raises(AlreadyExists, match="already has a /deploy command"):
        command_create(
            actor=world.carol,
            team_id=world.team.id,
            trigger="DEPLOY",
            url="http://x.io",
            method="P",
        )
    # Another team may have its own /deploy, and a deleted command frees the trigger.
    command_create(
        actor=world.outsider,
        team_id=world.other_team.id,
        trigger="deploy",
        url="http://x.io",
        method="P",
    )
    command_delete(actor=world.bob, command=deploy)
    again = command_create(
        actor=world.carol, team_id=world.team.id, trigger="deploy", url="http://x.io", method="P"
    )
    assert Command.objects.filter(team=world.team, trigger="deploy").count() == 2
    assert again.delete_at == 0


def test_a_lost_race_for_a_trigger_is_the_same_400(world, deploy, monkeypatch):
    """Two creates that both pass the check: the unique constraint refuses the second."""
    monkeypatch.setattr(services_custom_commands, "check_trigger_free", lambda **kwargs: None)
    with pytest.raises(AlreadyExists) as refused:
        command_create(
            actor=world.carol,
            team_id=world.team.id,
            trigger="deploy",
            url="http://x.io",
            method="P",
        )
    assert refused.value.error_id == "api.command.duplicate_trigger.app_error"
    other = command_create(
        actor=world.carol, team_id=world.team.id, trigger="build", url="http://x.io", method="P"
    )
    with pytest.raises(AlreadyExists):
        command_update(actor=world.carol, command=other, data={"trigger": "deploy"})
    assert Command.objects.get(id=other.id).trigger == "build"


def test_update_changes_the_fields_given_and_keeps_the_rest(world, deploy):
    token, created = deploy.token, deploy.create_at

    command_update(
        actor=world.bob,
        command=deploy,
        data={
            "id": deploy.id,
            "trigger": "Ship",
            "method": "G",
            "description": "Ship it",
            "token": "x",
        },
    )

    stored = Command.objects.get(id=deploy.id)
    assert (stored.trigger, stored.method, stored.description) == ("ship", "G", "Ship it")
    assert (stored.token, stored.create_at, stored.display_name) == (token, created, "Deploy")
    assert stored.update_at >= created
    command_update(actor=world.bob, command=stored, data={"trigger": "ship"})  # its own: fine


def test_update_refuses_another_id_team_or_a_taken_trigger(world, deploy):
    other = command_create(
        actor=world.bob, team_id=world.team.id, trigger="build", url="http://x.io", method="P"
    )
    for data, error_id in [
        ({"id": other.id}, "api.context.invalid_param.app_error"),
        ({"team_id": world.other_team.id}, "api.command.team_mismatch.app_error"),
        ({"trigger": "build"}, "api.command.duplicate_trigger.app_error"),
        ({"url": "javascript:alert(1)"}, "model.command.is_valid.url_http.app_error"),
        ({"method": "POST"}, "model.command.is_valid.method.app_error"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            command_update(actor=world.bob, command=deploy, data=data)
        assert refused.value.error_id == error_id, data


def test_managers_are_the_creator_team_admins_and_system_admins(world, deploy):
    for manager in (world.bob, world.owner, world.admin):
        command_regen_token(actor=manager, command=deploy)
    for other in (world.alice, world.carol):
        with pytest.raises(PermissionDenied):
            command_update(actor=other, command=deploy, data={"description": "mine"})
        with pytest.raises(PermissionDenied):
            command_delete(actor=other, command=deploy)


# --- the system console ------------------------------------------------------------------------


def test_the_console_lists_commands_view_only_without_their_token(world, deploy):
    console = Client()
    console.force_login(world.admin)

    listing = console.get(reverse("admin:integrations_command_changelist"))
    page = console.get(reverse("admin:integrations_command_change", args=[deploy.id]))

    assert listing.status_code == page.status_code == 200
    for response in (listing, page):
        html = response.content.decode()
        assert "/deploy" in html and deploy.token not in html
    assert b'name="_save"' not in page.content
