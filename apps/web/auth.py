"""Page access for the web client: signed-in users only, and domain errors as pages."""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, cast
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.middleware import HtmxDetails

from apps.accounts.models import Session, User
from apps.core.errors import ConfabError, NotAuthenticated, NotFound, PermissionDenied

_P = ParamSpec("_P")


class WebRequest(HttpRequest):
    """A page request as the middleware leaves it (declared for the type checker):
    WebUserMiddleware's browser session and user, if any, and django-htmx's details."""

    web_user: User | None
    web_session: Session | None
    htmx: HtmxDetails


class SignedInRequest(WebRequest):
    """What a `signed_in` view receives: the middleware found a browser session."""

    web_user: User
    web_session: Session


def signed_in(
    view: Callable[Concatenate[SignedInRequest, _P], HttpResponse],
) -> Callable[Concatenate[HttpRequest, _P], HttpResponse]:
    """Send anonymous visitors to the sign-in page (and back afterwards); answer the
    services' NotFound/PermissionDenied as friendly pages, never as a server error."""

    @wraps(view)
    def wrapper(http_request: HttpRequest, *args: _P.args, **kwargs: _P.kwargs) -> HttpResponse:
        request = cast(WebRequest, http_request)  # the middleware ran first
        if request.web_user is None:
            if request.htmx:
                response = HttpResponse(status=401)
                response["HX-Redirect"] = "/login"
                return response
            return redirect(f"/login?{urlencode({'next': request.get_full_path()})}")
        try:
            return view(cast(SignedInRequest, request), *args, **kwargs)
        except NotAuthenticated:
            return redirect("/login")
        except (NotFound, PermissionDenied) as exc:
            status = 404 if isinstance(exc, NotFound) else 403
            return render(request, "web/error.html", {"message": exc.message}, status=status)
        except ConfabError as exc:
            return render(request, "web/error.html", {"message": exc.message}, status=400)

    return wrapper
