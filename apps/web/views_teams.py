"""Choosing, joining and creating teams."""

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import ConfabError
from apps.teams.models import TEAM_INVITE, TEAM_OPEN
from apps.teams.selectors import team_list_for_user, team_list_visible
from apps.teams.services import team_create, team_join
from apps.web.auth import SignedInRequest, signed_in

DEFAULT_CHANNEL = "town-square"


class TeamForm(forms.Form):
    display_name = forms.CharField(label=_("Team name"), max_length=64)
    name = forms.SlugField(
        label=_("Team URL"),
        max_length=64,
        help_text=_("Lowercase letters, numbers and dashes; it appears in every link."),
    )
    open_invite = forms.BooleanField(
        label=_("Anyone on this server may join"), required=False, initial=True
    )


@signed_in
@require_http_methods(["GET"])
def select_team(request: SignedInRequest) -> HttpResponse:
    mine = list(team_list_for_user(actor=request.web_user))
    mine_ids = {t.id for t in mine}
    joinable = [
        t
        for t in team_list_visible(actor=request.web_user)
        if t.id not in mine_ids and t.allow_open_invite
    ]
    return render(request, "web/select_team.html", {"teams": mine, "joinable": joinable})


@signed_in
@require_POST
def join_team(request: SignedInRequest, team_id: str) -> HttpResponse:
    try:
        team_join(actor=request.web_user, team_id=team_id)
    except ConfabError:
        return redirect("web:select_team")
    team = next(t for t in team_list_for_user(actor=request.web_user) if t.id == team_id)
    return redirect("web:channel", team_name=team.name, channel_name=DEFAULT_CHANNEL)


@signed_in
@require_http_methods(["GET", "POST"])
def create_team(request: SignedInRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = team_create(
                actor=request.web_user,
                name=form.cleaned_data["name"],
                display_name=form.cleaned_data["display_name"],
                team_type=TEAM_OPEN if form.cleaned_data["open_invite"] else TEAM_INVITE,
            )
        except ConfabError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("web:channel", team_name=team.name, channel_name=DEFAULT_CHANNEL)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/create_team.html", {"form": form}, status=status)
