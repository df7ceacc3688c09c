"""Who is calling, by network address, as far as the server can trust it.

Behind a reverse proxy every request comes from the proxy's address, which would put
every user in one rate-limit bucket. `CONFAB_TRUSTED_PROXIES` names the proxies (hosts or
CIDRs) whose `X-Forwarded-For` is believed; the client is the nearest address in that
header that is not one of them. Without the setting the header is ignored, since any
client can write it.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDED_FOR_MAX = 20
UNKNOWN = "unknown"


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The caller's address: REMOTE_ADDR, or past trusted proxies the nearest untrusted
    address of X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR", "") or UNKNOWN
    trusted = _trusted(tuple(settings.CONFAB_TRUSTED_PROXIES))
    address = _parse(remote)
    if not trusted or address is None or not any(address in net for net in trusted):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-FORWARDED_FOR_MAX:]
    for hop in reversed(hops):
        hop_address = _parse(hop)
        if hop_address is None:
            return remote  # a garbled header: trust nothing in it
        if not any(hop_address in net for net in trusted):
            return str(hop_address)
    return remote


def address_group(address: str) -> str:
    """The unit a limit counts: one IPv4 address, or an IPv6 /64 (one host usually holds
    a whole /64, so single IPv6 addresses would be free to rotate)."""
    parsed = _parse(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed) if parsed is not None else address
