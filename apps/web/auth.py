"""Page access for the web client: signed-in users only, and domain errors as pages."""

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from apps.core.errors import ConfabError, NotAuthenticated, NotFound, PermissionDenied


def signed_in(view):
    """Send anonymous visitors to the sign-in page (and back afterwards); answer the
    services' NotFound/PermissionDenied as friendly pages, never as a server error."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.web_user is None:
            if request.htmx:
                response = HttpResponse(status=401)
                response["HX-Redirect"] = "/login"
                return response
            return redirect(f"/login?{urlencode({'next': request.get_full_path()})}")
        try:
            return view(request, *args, **kwargs)
        except NotAuthenticated:
            return redirect("/login")
        except (NotFound, PermissionDenied) as exc:
            status = 404 if isinstance(exc, NotFound) else 403
            return render(request, "web/error.html", {"message": exc.message}, status=status)
        except ConfabError as exc:
            return render(request, "web/error.html", {"message": exc.message}, status=400)

    return wrapper
