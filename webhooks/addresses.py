"""Where a webhook may go (SSRF): https URLs whose host resolves to public addresses only.

The rule is checked when a subscription is made or its URL changed, and again at every
delivery, on the addresses that delivery connects to (`webhooks.delivery` connects to
the address checked here, never to a second lookup, so DNS rebinding cannot swap it).
`WEBHOOK_ALLOW_PRIVATE_NETWORKS` lifts both rules (any address, http too): the default
with DEBUG=true, for receivers on the developer's machine.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from webhooks.errors import (
    InvalidWebhookUrl,
    WebhookUrlNotHttps,
    WebhookUrlNotPublic,
    WebhookUrlUnresolvable,
)

DEFAULT_PORTS = {"http": 80, "https": 443}
_url_validator = URLValidator(schemes=["http", "https"])
# NAT64 prefixes (RFC 6052, RFC 8215): the last 32 bits are an IPv4 address.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


@dataclass(frozen=True)
class Target:
    """A webhook URL taken apart: what to resolve, where to connect, what to send."""

    scheme: str
    host: str  # the host name (IDNA) or IP literal, without brackets
    port: int
    path: str  # path and query
    host_header: str  # Host: as the URL names it (also the TLS server name)


def private_networks_allowed() -> bool:
    return bool(settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS)


def parse_url(url: str) -> Target:
    """Take a URL apart; InvalidWebhookUrl when it is not an absolute http(s) URL."""
    try:
        _url_validator(url)
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname or ""
        host = host.encode("idna").decode("ascii")
    except (ValidationError, ValueError, UnicodeError) as exc:
        raise InvalidWebhookUrl() from exc
    if parts.username is not None or parts.password is not None or not host:
        raise InvalidWebhookUrl()
    scheme = parts.scheme.lower()
    port = port or DEFAULT_PORTS[scheme]
    shown_host = f"[{host}]" if ":" in host else host
    host_header = shown_host if port == DEFAULT_PORTS[scheme] else f"{shown_host}:{port}"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path, host_header=host_header)


def is_public_address(address: str) -> bool:
    """Whether an IP address is one webhooks may reach: global unicast, and so is every
    IPv4 address it embeds (IPv4-mapped, 6to4, Teredo, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return False
    if (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        embedded += [ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) for net in _NAT64 if ip in net]
        return all(is_public_address(str(v4)) for v4 in embedded if v4 is not None)
    return True


def resolve(target: Target) -> list[str]:
    """The target's addresses in the resolver's order of preference; each one checked
    unless private networks are allowed (one private address refuses the whole URL)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise WebhookUrlUnresolvable() from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise WebhookUrlUnresolvable()
    if not private_networks_allowed() and not all(map(is_public_address, addresses)):
        raise WebhookUrlNotPublic()
    return addresses


def _require_https(target: Target) -> None:
    if target.scheme != "https" and not private_networks_allowed():
        raise WebhookUrlNotHttps()


def check_url(url: str) -> Target:
    """A subscription's URL, checked as it is saved: a URL, https, public addresses.
    With private networks allowed it is not resolved (the host may not exist yet)."""
    target = parse_url(url)
    _require_https(target)
    if not private_networks_allowed():
        resolve(target)
    return target


def delivery_target(url: str) -> tuple[Target, list[str]]:
    """Checked again at each delivery: the URL and the addresses to connect to."""
    target = parse_url(url)
    _require_https(target)
    return target, resolve(target)
