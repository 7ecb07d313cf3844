"""Where a webhook may be sent: addresses on the internet, never the server's own network.

A seller types the URL; the worker POSTs to it. Without this check a URL naming (or resolving
to) 127.0.0.1, 10.x, 192.168.x or a cloud's metadata service at 169.254.169.254 would make the
worker call services that only the server itself should reach. The URL is checked when it is
saved (a literal address) and again before each delivery (what its name resolves to then).

`settings.WEBHOOKS_ALLOW_LOCAL` (env OPENPO_WEBHOOKS_ALLOW_LOCAL; on with DEBUG) lets this
machine itself (loopback: 127.0.0.1, ::1, localhost), and plain http to it, through: for
development and the tests' receivers. Private networks stay refused either way.

What is not covered: a name whose answer changes between the check and urllib's own lookup
(DNS rebinding) gets one delivery through; pinning the checked address would close that.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

LOCAL_NAMES = {"localhost", "localhost.localdomain"}


def allow_local() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_LOCAL", settings.DEBUG))


def _is_local(host: str) -> bool:
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_problem(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a webhook may not go to `address`, or None when it is on the internet."""
    if address.is_loopback and allow_local():
        return None
    if not address.is_global or address.is_multicast:
        return _("This address is not reachable from the internet.")
    return None


def url_problem(url: str) -> str | None:
    """What is wrong with a webhook URL as typed (no lookup), or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return _("Enter a full address, starting with https://.")
    if parts.username or parts.password:
        return _("Leave the user name and password out of the address.")
    if _is_local(host):
        return None if allow_local() else _("This address is not reachable from the internet.")
    if parts.scheme == "http":
        return _("The address must start with https:// so nobody can read the events.")
    try:
        return address_problem(ipaddress.ip_address(host))
    except ValueError:
        return None  # a name: checked by what it resolves to, before each delivery


def resolved_problem(url: str) -> str | None:
    """`url_problem`, then what the URL's name resolves to now: every address must pass."""
    if problem := url_problem(url):
        return problem
    parts = urlsplit(url)
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        return f"{parts.hostname}: {exc}"
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if problem := address_problem(address):
            return f"{parts.hostname} → {address}: {problem}"
    return None
