"""Outbound HTTP for server-side fetches (outgoing webhooks, slash commands, message actions).

SECURITY.md rows 13 and 14. Every request here:

- accepts only http and https URLs;
- resolves the host name once (`socket.getaddrinfo`) and refuses if any resolved address is
  loopback, private, link-local, multicast, unspecified, reserved, CGNAT, or an IPv6 form that
  embeds such an IPv4 address (IPv4-mapped/compatible, NAT64, 6to4, Teredo). getaddrinfo parses
  decimal, hex and octal IPv4 forms, so checking what it returns covers `http://2130706433/`;
- connects to the checked address, not the name again (no DNS rebinding), while sending the
  original Host header and using the original name for TLS SNI and certificate checks;
- follows at most `MAX_REDIRECTS` redirects by hand, checking each target by the same rules;
- has a connect timeout, a total deadline and a cap on the response body.

Host names or CIDRs in the `CONFAB_OUTBOUND_ALLOWED_HOSTS` setting bypass the private-address
rule (never the unspecified/multicast one). Standard library only: no dependency is added.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings

from apps.core.jsonbody import JSONRefused, parse_json
from apps.integrations.errors import OutboundFailed, OutboundRefused

CONNECT_TIMEOUT = 3.0
TOTAL_TIMEOUT = 10.0
MAX_BODY_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
CHUNK_SIZE = 64 * 1024
USER_AGENT = "Confab-Outbound/1.0"

_SCHEMES = {"http": 80, "https": 443}
_REDIRECTS = {301, 302, 303, 307, 308}
# Headers not carried to a redirect target on another origin.
_CREDENTIAL_HEADERS = {"authorization", "cookie", "proxy-authorization"}

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class OutboundResponse:
    """What came back: status, headers (names lower-cased), body (at most the cap), final URL."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    url: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        try:
            return parse_json(self.body, max_bytes=MAX_BODY_BYTES)
        except JSONRefused as exc:
            raise OutboundFailed(f"The response was refused: {exc.message}") from exc


def is_forbidden_address(ip: IPAddress) -> bool:
    """True for any address a server-side fetch must not reach without an allow-list entry."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_forbidden_address(ip.ipv4_mapped)
        if ip in _IPV4_COMPATIBLE or ip in _NAT64_LOCAL:
            return True  # ::/96 holds ::, ::1 and the deprecated IPv4-compatible forms
        if ip in _NAT64_WELL_KNOWN:
            return is_forbidden_address(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if ip.sixtofour is not None and is_forbidden_address(ip.sixtofour):
            return True
        if ip.teredo is not None and any(is_forbidden_address(a) for a in ip.teredo):
            return True
    elif ip in _CGNAT:
        return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or not ip.is_global
    )


def _always_forbidden(ip: IPAddress) -> bool:
    """Refused even when allow-listed: nothing legitimate lives at these."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_unspecified or ip.is_multicast


def _allow_list() -> tuple[set[str], list[ipaddress.IPv4Network | ipaddress.IPv6Network]]:
    names: set[str] = set()
    networks = []
    for entry in getattr(settings, "CONFAB_OUTBOUND_ALLOWED_HOSTS", []) or []:
        entry = str(entry).strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.lower().rstrip("."))
    return names, networks


def _allowed(host: str, ip: IPAddress) -> bool:
    names, networks = _allow_list()
    if host.lower().rstrip(".") in names:
        return True
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates.append(ip.ipv4_mapped)
    return any(c.version == n.version and c in n for c in candidates for n in networks)


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    path: str
    ip: str


def _check_url(url: str) -> _Target:
    """Parse, resolve once and check `url`; return where to connect. Raises OutboundRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundRefused("The URL is not valid.", detail=url) from exc
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise OutboundRefused("Only http and https URLs may be fetched.", detail=url)
    host = parts.hostname
    if not host:
        raise OutboundRefused("The URL has no host.", detail=url)
    port = port or _SCHEMES[scheme]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundFailed("The host name could not be resolved.", detail=host) from exc
    addresses = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        try:
            addresses.append(ipaddress.ip_address(raw))
        except ValueError as exc:
            raise OutboundRefused("The host resolved to an unusable address.", detail=host) from exc
    if not addresses:
        raise OutboundFailed("The host name could not be resolved.", detail=host)
    for ip in addresses:
        if _always_forbidden(ip) or (is_forbidden_address(ip) and not _allowed(host, ip)):
            raise OutboundRefused(
                "The destination address is not allowed.", detail=f"{host} -> {ip}"
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(scheme=scheme, host=host, port=port, path=path, ip=str(addresses[0]))


def _ssl_context() -> ssl.SSLContext:
    """System trust store, hostname checks on (tests swap in their own CA here)."""
    return ssl.create_default_context()


def _connection(target: _Target, connect_timeout: float) -> http.client.HTTPConnection:
    """A connection to `target.host` whose socket goes to the checked `target.ip`."""
    if target.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host,
            target.port,
            timeout=connect_timeout,
            context=_ssl_context(),
        )
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=connect_timeout)

    def pinned(
        address: tuple[str, int],
        timeout: float | None = connect_timeout,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        # A socket straight to the checked IP literal: no second lookup of any kind.
        family = socket.AF_INET6 if ":" in target.ip else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.connect((target.ip, target.port))
        except BaseException:
            sock.close()
            raise
        return sock

    # HTTP(S)Connection.connect opens its socket through this hook; HTTPS then wraps it with
    # server_hostname=target.host, so SNI and the certificate check use the original name.
    conn._create_connection = pinned  # type: ignore[attr-defined]  # private, see above
    return conn


def _request_once(
    target: _Target,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    *,
    deadline: float,
    connect_timeout: float,
    max_body: int,
) -> tuple[int, dict[str, str], bytes]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OutboundFailed("The outbound request timed out.")
    conn = _connection(target, min(connect_timeout, remaining))
    watchdog: threading.Timer | None = None
    try:
        conn.connect()
        sock = conn.sock

        def expire() -> None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

        # Per-read timeouts alone let a trickling server stretch the total; the watchdog
        # cuts the socket at the deadline whatever the server does.
        watchdog = threading.Timer(max(deadline - time.monotonic(), 0), expire)
        watchdog.daemon = True
        watchdog.start()
        sock.settimeout(max(deadline - time.monotonic(), 0.001))
        conn.request(method, target.path, body=body, headers=headers)
        response = conn.getresponse()
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() >= deadline:
                raise OutboundFailed("The outbound request timed out.")
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            chunk = response.read(min(CHUNK_SIZE, max_body + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > max_body:
                raise OutboundFailed(
                    "The response body is over the size limit.", detail=f"limit {max_body} bytes"
                )
        if time.monotonic() >= deadline:
            raise OutboundFailed("The outbound request timed out.")
        response_headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, response_headers, b"".join(chunks)
    except OutboundFailed:
        raise
    except TimeoutError as exc:
        raise OutboundFailed("The outbound request timed out.") from exc
    except ssl.SSLError as exc:
        raise OutboundFailed("The TLS handshake failed.", detail=str(exc)) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if time.monotonic() >= deadline:
            raise OutboundFailed("The outbound request timed out.") from exc
        raise OutboundFailed("The outbound request failed.", detail=str(exc)) from exc
    finally:
        if watchdog is not None:
            watchdog.cancel()
        conn.close()


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = TOTAL_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
    max_body: int = MAX_BODY_BYTES,
    max_redirects: int = MAX_REDIRECTS,
) -> OutboundResponse:
    """Send one request under the rules above; follow up to `max_redirects` redirects by hand.

    Any status is returned (callers decide what a 4xx/5xx means). Raises OutboundRefused before
    connecting to a forbidden destination, OutboundFailed for anything that does not complete.
    """
    deadline = time.monotonic() + timeout
    method = method.upper()
    send_headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    send_headers.update(headers or {})
    current = url
    target = _check_url(current)
    origin = (target.scheme, target.host, target.port)
    for hop in range(max_redirects + 1):
        status, response_headers, data = _request_once(
            target,
            method,
            body,
            send_headers,
            deadline=deadline,
            connect_timeout=connect_timeout,
            max_body=max_body,
        )
        location = response_headers.get("location")
        if status not in _REDIRECTS or not location:
            return OutboundResponse(status=status, headers=response_headers, body=data, url=current)
        if hop == max_redirects:
            break
        current = urljoin(current, location)
        target = _check_url(current)
        if (target.scheme, target.host, target.port) != origin:
            send_headers = {
                k: v for k, v in send_headers.items() if k.lower() not in _CREDENTIAL_HEADERS
            }
        if status in (301, 302, 303) and method != "HEAD":
            method, body = "GET", None
            send_headers = {k: v for k, v in send_headers.items() if k.lower() != "content-type"}
    raise OutboundFailed("Too many redirects.", detail=f"more than {max_redirects}")


def post_json(
    url: str,
    payload: Any,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = TOTAL_TIMEOUT,
    max_body: int = MAX_BODY_BYTES,
) -> OutboundResponse:
    """POST `payload` as JSON to `url` (see `request`)."""
    all_headers = {"Content-Type": "application/json", "Accept": "application/json"}
    all_headers.update(headers or {})
    return request(
        "POST",
        url,
        body=json.dumps(payload).encode(),
        headers=all_headers,
        timeout=timeout,
        max_body=max_body,
    )


def post_form(
    url: str,
    data: dict[str, Any] | list[tuple[str, Any]],
    *,
    headers: dict[str, str] | None = None,
    timeout: float = TOTAL_TIMEOUT,
    max_body: int = MAX_BODY_BYTES,
) -> OutboundResponse:
    """POST `data` form-encoded (application/x-www-form-urlencoded) to `url` (see `request`)."""
    all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
    all_headers.update(headers or {})
    return request(
        "POST",
        url,
        body=urlencode(data, doseq=True).encode(),
        headers=all_headers,
        timeout=timeout,
        max_body=max_body,
    )


def get(
    url: str,
    *,
    headers: dict[str, str] | None = None,
    timeout: float = TOTAL_TIMEOUT,
    max_body: int = MAX_BODY_BYTES,
) -> OutboundResponse:
    """GET `url` (see `request`)."""
    return request("GET", url, headers=headers, timeout=timeout, max_body=max_body)
