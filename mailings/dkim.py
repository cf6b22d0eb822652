"""DKIM: every outgoing message is signed with the installation's key (dkimpy), and the
beheerder's page checks offline what can be checked (no DNS look-ups).

Settings: OCS_DKIM_KEY_FILE (a PEM RSA private key, PKCS#1 or PKCS#8), OCS_DKIM_SELECTOR and
OCS_DKIM_DOMAIN. Without a key file or selector nothing is signed. Without OCS_DKIM_DOMAIN
each message is signed for the domain of its own From address, so a school that publishes
the selector's record in its own DNS gets DMARC-aligned signatures (see README)."""

import base64
import email
import email.message
import email.utils
import logging
import os
from dataclasses import dataclass
from functools import lru_cache

import dkim
from django.conf import settings
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

logger = logging.getLogger(__name__)

# Below this a receiver may ignore the signature (RFC 8301: at least 1024, 2048 advised).
MIN_BITS = 1024
ADVISED_BITS = 2048


class DkimKeyError(Exception):
    """The key file is missing, unreadable or not an RSA private key."""


@dataclass(frozen=True)
class DkimKey:
    pem: bytes
    bits: int
    # The TXT record to publish at <selector>._domainkey.<domain>.
    dns_record: str


def dkim_configured() -> bool:
    return bool(settings.OCS_DKIM_KEY_FILE and settings.OCS_DKIM_SELECTOR)


def load_key(path: str | None = None) -> DkimKey:
    path = path or settings.OCS_DKIM_KEY_FILE
    try:
        stamp = os.stat(path).st_mtime_ns
    except OSError as exc:
        raise DkimKeyError(f"{type(exc).__name__}: {exc.strerror}") from exc
    return _load(path, stamp)


@lru_cache(maxsize=4)
def _load(path: str, _stamp: int) -> DkimKey:
    """Read once per process (and again when the file changes)."""
    try:
        with open(path, "rb") as handle:
            pem = handle.read()
    except OSError as exc:
        raise DkimKeyError(f"{type(exc).__name__}: {exc.strerror}") from exc
    try:
        key = parse_pem_private_key(pem)
    except (UnparsableKeyError, ValueError) as exc:
        raise DkimKeyError(str(exc).splitlines()[0]) from exc
    modulus, exponent = key["modulus"], key["publicExponent"]
    public = base64.b64encode(_subject_public_key_info(modulus, exponent)).decode()
    return DkimKey(pem=pem, bits=modulus.bit_length(), dns_record=f"v=DKIM1; k=rsa; p={public}")


def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _der_int(value: int) -> bytes:
    return _der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big"))


# The algorithm identifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters.
_RSA_ALGORITHM = _der(0x30, _der(0x06, bytes.fromhex("2a864886f70d010101")) + _der(0x05, b""))


def _subject_public_key_info(modulus: int, exponent: int) -> bytes:
    """The public key as DKIM's p= tag wants it (DER SubjectPublicKeyInfo, RFC 6376 3.6.1)."""
    rsa_public = _der(0x30, _der_int(modulus) + _der_int(exponent))
    return _der(0x30, _RSA_ALGORITHM + _der(0x03, b"\x00" + rsa_public))


def address_domain(address: str) -> str:
    """The domain of "Name <user@domain>" or "user@domain", lower case."""
    return email.utils.parseaddr(address)[1].rpartition("@")[2].lower()


def signing_domain(from_address: str) -> str:
    return (settings.OCS_DKIM_DOMAIN or address_domain(from_address)).lower()


def aligned(from_domain: str, dkim_domain: str) -> bool:
    """DMARC's relaxed alignment, checked without the public suffix list: the same domain,
    or one a subdomain of the other. (Two sibling subdomains of one organisation also align
    under DMARC; this check calls them not aligned rather than guess.)"""
    if not from_domain or not dkim_domain:
        return False
    return (
        from_domain == dkim_domain
        or from_domain.endswith("." + dkim_domain)
        or dkim_domain.endswith("." + from_domain)
    )


def dkim_sign(message: email.message.EmailMessage) -> email.message.EmailMessage:
    """The message with a DKIM-Signature over exactly the bytes that will be sent. The
    signed bytes are parsed back, so sending serialises them unchanged (the generator keeps
    parsed headers and bodies as they are). Unsigned when DKIM is not configured or the key
    cannot be used: mail still goes out, and the beheerder's page says why."""
    if not dkim_configured():
        return message
    try:
        key = load_key()
    except DkimKeyError as exc:
        logger.error("DKIM key unusable, sending unsigned: %s", exc)
        return message
    raw = message.as_bytes()
    domain = signing_domain(str(message["From"]))
    try:
        header = dkim.sign(
            raw,
            settings.OCS_DKIM_SELECTOR.encode(),
            domain.encode("idna"),
            key.pem,
            canonicalize=(b"relaxed", b"relaxed"),
        )
    except dkim.DKIMException as exc:
        logger.error("DKIM signing failed, sending unsigned: %s", exc)
        return message
    return email.message_from_bytes(
        header + raw, _class=email.message.EmailMessage, policy=message.policy
    )
