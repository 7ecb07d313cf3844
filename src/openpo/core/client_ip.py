"""Which address a request came from: `REMOTE_ADDR`, or `X-Forwarded-For` behind trusted proxies.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far as
the proxies we trust (`settings.TRUSTED_PROXIES`, from `OPENPO_TRUSTED_PROXIES`). Each proxy
appends the address it received the request from, so the list is read from the right: past
our own proxies, the first address we do not trust is the client. Anything to its left was
written by the client and may be invented; the leftmost entry is never taken blindly.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# What `client_ip` answers when even REMOTE_ADDR is not an address (e.g. a Unix socket).
UNKNOWN = "unknown"


def client_ip(request: HttpRequest) -> str:
    """The client's address, normalised (`2001:db8::1`, `::ffff:1.2.3.4` → `1.2.3.4`)."""
    remote = parse_ip(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return UNKNOWN
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not _is_trusted(remote, networks):
        return str(remote)
    client = remote
    # A repeated header arrives joined with commas, in order, so one split covers both.
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if not entry.strip():
            continue  # empty list elements are allowed in HTTP lists, and mean nothing
        hop = parse_ip(entry)
        if hop is None:
            break  # cannot see past garbage: the last trusted hop is the best we know
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)


def parse_ip(text: str) -> IPAddress | None:
    """An address from a header entry (`1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`), or None.

    IPv4-mapped IPv6 addresses (what a server listening on `::` sees) become plain IPv4, so
    one client has one spelling.
    """
    text = text.strip()
    if text.startswith("["):  # [IPv6] or [IPv6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # IPv4:port; a bare IPv6 address has at least two colons
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str | IPNetwork, ...]) -> tuple[IPNetwork, ...]:
    """Parse `TRUSTED_PROXIES` (addresses or CIDR networks, as strings or network objects).

    Cached per value, so settings may hold plain strings (and tests may override them) at no
    cost per request. Raises ValueError for an entry that is neither an address nor a network.
    """
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in _stripped(entries))


def _stripped(entries: Iterable[str | IPNetwork]) -> Iterable[str | IPNetwork]:
    for entry in entries:
        if isinstance(entry, str):
            entry = entry.strip()
            if not entry:
                continue
        yield entry


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    # `in` is False across IP versions, so an IPv4 proxy list never matches an IPv6 client.
    return any(address in network for network in networks)
