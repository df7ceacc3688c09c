"""Sign-up, sign-in and sign-out pages. They open and end the same sessions as the API."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.cookies import clear_session_cookies, set_session_cookies
from apps.accounts.models import Session, User
from apps.accounts.services.sessions import session_create, session_end, session_login
from apps.accounts.services.users import user_create
from apps.core.addresses import client_address
from apps.core.errors import ConfabError
from apps.web.auth import WebRequest
from apps.web.locales import locale_from_request_language


class LoginForm(forms.Form):
    login_id = forms.CharField(label=_("Email or username"), max_length=128)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


class SignupForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=128)
    username = forms.CharField(label=_("Username"), max_length=64)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=128)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return "/"


def _signed_in(request: HttpRequest, user: User, session: Session, token: str) -> HttpResponse:
    response = redirect(_next_url(request))
    return set_session_cookies(response, user=user, session=session, token=token)


@require_http_methods(["GET", "POST"])
def login_page(request: WebRequest) -> HttpResponse:
    if request.web_user is not None and request.method == "GET":
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, session, token = session_login(
                login_id=form.cleaned_data["login_id"],
                password=form.cleaned_data["password"],
                address=client_address(request),
                device_id="web",
            )
        except ConfabError as exc:
            form.add_error(None, exc.message)
        else:
            return _signed_in(request, user, session, token)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/login.html", {"form": form, "next": _next_url(request)}, status=status
    )


@require_http_methods(["GET", "POST"])
def signup_page(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                locale=locale_from_request_language(get_language()),
            )
        except ConfabError as exc:
            form.add_error(None, exc.message)
        else:
            session, token = session_create(user=user, device_id="web")
            return _signed_in(request, user, session, token)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/signup.html", {"form": form}, status=status)


@require_POST
def logout_page(request: WebRequest) -> HttpResponse:
    if request.web_session is not None:
        session_end(session=request.web_session)
    return clear_session_cookies(redirect("web:login"))
