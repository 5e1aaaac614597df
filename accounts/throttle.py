"""What django-axes needs from KyHop to throttle logins: who is trying, and from where.

The client address is the TCP peer's (``REMOTE_ADDR``) unless that peer is one of our own
reverse proxies (``KYHOP_TRUSTED_PROXIES``); only then is the proxy's header read, and only
as far as the proxies we trust wrote it. A header sent by a client that reaches us directly
is never read, so it cannot move an attempt to an address of the client's choosing.

django-ipware parses the header (lists, ports, IPv6 brackets, RFC 7239 ``for=``). Its own
trusted-proxy list is not used: it matches the last entries *of the header*, which a client
that connects directly writes itself, and it never looks at the TCP peer.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from functools import lru_cache
from typing import Any

from axes.backends import AxesBackend
from django.conf import settings
from django.http import HttpRequest
from python_ipware import IpWare

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Proxies in front of us are counted on one hand; a longer list of "our" hops is a header
# someone else wrote, and it is not walked further.
MAX_PROXY_HOPS = 16


class LoginThrottleBackend(AxesBackend):
    """axes' backend (refuses a locked-out user name and address before passwords are checked).

    ``authenticate()`` without a request (the test client's ``login()``, a shell) is no
    attempt from any address, so it is not throttled rather than refused with an exception.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The address a login attempt comes from (``AXES_CLIENT_IP_CALLABLE``)."""
    peer = _parse(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    if not _trusted(peer):
        return str(peer)
    # The peer is our proxy: walk its header from the nearest hop back, skipping our own
    # proxies; the first address that is not ours is the client. What lies left of it was
    # written by the client and is never read.
    nearest = peer
    for hop in _forwarded_hops(request.META):
        if not _trusted(hop):
            return str(hop)
        nearest = hop
    return str(nearest)


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The user name an attempt counts against (``AXES_USERNAME_CALLABLE``).

    Normalised as Django's login form normalises it (NFKC) and case-folded, so writing the
    same name in full-width letters or another case does not start a fresh count.
    """
    if credentials:
        raw = credentials.get("username")
    else:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username")
    return unicodedata.normalize("NFKC", str(raw or "")).strip().casefold()


def _forwarded_hops(meta: dict[str, Any]) -> list[Address]:
    """The addresses in the proxy header, the nearest hop first.

    ipware picks the hop *depth* places from the right end of the header, skipping tokens that
    are no address; it returns nothing once the header has no hop that deep.
    """
    header = _meta_key(str(settings.KYHOP_PROXY_HEADER))
    hops: list[Address] = []
    for depth in range(MAX_PROXY_HOPS):
        reader = IpWare(precedence=(header,), proxy_count=depth)
        hop, _trusted_route = reader.get_client_ip(meta, strict=False)
        if hop is None:
            break
        hops.append(hop)
    return hops


def _meta_key(header: str) -> str:
    """``X-Forwarded-For`` → ``HTTP_X_FORWARDED_FOR``, the key Django gives the header."""
    return "HTTP_" + header.strip().upper().replace("-", "_")


def _parse(value: object) -> Address | None:
    try:
        address = ipaddress.ip_address(str(value or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.KYHOP_TRUSTED_PROXIES)))


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
