"""The client's address, the same for login throttling, rate limits and the audit log.

Behind OCS_PROXY_COUNT trusted reverse proxies, each proxy appends the address it received
the request from to X-Forwarded-For (nginx `$proxy_add_x_forwarded_for`, Caddy's default),
so the client is the N-th entry from the right; anything further left was written by the
client and is ignored. Without proxies, REMOTE_ADDR is the client.

(django-ipware was tried: its proxy count expects the proxies' own addresses in the header,
so with one nginx a plain request gave no address and a spoofed header won or fell back to
the proxy's address. The rule above is what the README's deployment does.)
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    hops = settings.OCS_PROXY_COUNT
    if hops <= 0:
        return remote
    chain = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
    if len(chain) < hops:
        # Not through all our proxies (or a misconfiguration): the only trustworthy address.
        return remote
    return _address(chain[-hops]) or remote
