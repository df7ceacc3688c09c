"""The security tests: the findings that only show through a real server (Twisted's HTTP
parsing, daphne's access log, socket buffers) are tested here through the `live_daphne`
fixture (tests/conftest.py), not through Django's test client."""

from tests.conftest import LiveServer

__all__ = ["LiveServer"]
