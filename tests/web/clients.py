"""Django test clients signed in to the web client the way a browser is: with a session's
MMAUTHTOKEN cookie."""

from django.test import Client

from apps.accounts.services.sessions import session_create


def signed_in_client(user) -> Client:
    client = Client()
    _session, token = session_create(user=user)
    client.cookies["MMAUTHTOKEN"] = token
    return client
