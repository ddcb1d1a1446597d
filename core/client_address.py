"""The client's address, the one way everything that counts per client reads it.

Throttles (core.throttling) and the login lockout (axes, AXES_CLIENT_IP_CALLABLE) both
call `client_address`, so a client is one client to both.

NUM_PROXIES (settings) says how many reverse proxies in front of the app append the
address they received to X-Forwarded-For, with Django REST framework's meaning:

- 0, the default: no forwarding header is trusted; the client is the socket's peer
  (REMOTE_ADDR). A client cannot change its address by sending X-Forwarded-For.
- N > 0: the N-th address from the right of X-Forwarded-For, the one the outermost
  trusted proxy saw. Anything further left was written by the client and is ignored.

A value that is not an IP address (a proxy misconfigured to pass the client's header
through) falls back to the peer address rather than becoming a key a client chooses.
"""

import ipaddress

from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The address of the client that sent `request` (a Django or DRF request)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or ""
    num_proxies = getattr(settings, "NUM_PROXIES", 0) or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if num_proxies and forwarded:
        hops = [hop for hop in forwarded.split(",") if hop.strip()]
        if hops:
            candidate = _valid_ip(hops[-min(num_proxies, len(hops))])
            if candidate:
                return candidate
    # No peer address (a Unix socket): every such request is one client, "".
    return _valid_ip(remote) or ""
