"""VERP return paths: bounces+<public id>-<signature>@OCS_BOUNCE_DOMAIN, one per outgoing
message. The signature is an HMAC (key derived from SECRET_KEY) over the message's school and
public id, so only OCS can make one, and only for the school the message belongs to."""

import re
import uuid

from django.conf import settings
from django.utils.crypto import salted_hmac

from mailings.models import OutgoingMessage

VERP_LOCAL = "bounces"
SIGNATURE_LENGTH = 20  # hex digits: 80 bits
_VERP = re.compile(
    rf"^{VERP_LOCAL}\+(?P<id>[0-9a-f]{{32}})-(?P<sig>[0-9a-f]{{{SIGNATURE_LENGTH}}})@(?P<domain>.+)$",
    re.IGNORECASE,
)


def signature(school_id: int | None, public_id: uuid.UUID) -> str:
    value = f"{school_id or 0}:{public_id.hex}"
    digest = salted_hmac("ocs.mailings.bounces.verp", value, algorithm="sha256").hexdigest()
    return digest[:SIGNATURE_LENGTH]


def verp_address(message: OutgoingMessage) -> str | None:
    """The message's own return path, or None when bounces are not taken in."""
    domain = settings.OCS_BOUNCE_DOMAIN
    if not domain:
        return None
    mac = signature(message.school_id, message.public_id)
    return f"{VERP_LOCAL}+{message.public_id.hex}-{mac}@{domain}"


def parse_verp(address: str) -> tuple[uuid.UUID, str] | None:
    """(public id, signature) of a return path of this installation's bounce domain."""
    match = _VERP.match(address.strip().strip("<>"))
    domain = settings.OCS_BOUNCE_DOMAIN
    if match is None or not domain or match["domain"].lower() != domain.lower():
        return None
    return uuid.UUID(match["id"]), match["sig"].lower()
