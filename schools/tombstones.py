"""Remembering deleted parents without keeping their data.

A tombstone holds keyed hashes (HMAC-SHA256, key derived from SECRET_KEY, salted per school)
of the identifying fields the import matches on: the normalised e-mail address, and
voornaam + achternaam + postcode + huisnummer. Both as OCS had them and as the last export
brought them in (a parent the school renamed before deleting is still recognised). The hash
cannot be read back; it only lets the next import recognise the same person in the export.
"""

import unicodedata
from collections.abc import Iterable, Mapping

from django.utils import timezone
from django.utils.crypto import salted_hmac

from schools.models import Parent, ParentBaseline, ParentTombstone

SALT = "ocs.schools.tombstone"


def _normal(value: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def identity_digests(*, school_id: int, values: Mapping[str, str]) -> set[str]:
    """The digests of one set of parent values (a Parent's fields or an export's guardian)."""
    digests = set()
    email = _normal(values.get("email", ""))
    if email:
        digests.add(_digest(school_id, f"e-mail|{email}"))
    parts = [
        _normal(values.get("first_name", "")),
        _normal(values.get("last_name", "")),
        _normal(values.get("postcode", "")).replace(" ", ""),
        _normal(values.get("house_number", "")),
    ]
    if all(parts[:2]) and any(parts[2:]):
        digests.add(_digest(school_id, "naam-adres|" + "|".join(parts)))
    return digests


def _digest(school_id: int, text: str) -> str:
    return salted_hmac(SALT, f"{school_id}|{text}", algorithm="sha256").hexdigest()


def _values_of(parent: Parent) -> dict[str, str]:
    fields = ("first_name", "last_name", "email", "postcode", "house_number")
    return {f: getattr(parent, f) for f in fields}


def parent_tombstone_create(*, parent: Parent, reason: str) -> ParentTombstone | None:
    """Remember that the school removed this parent (call before deleting the row). A parent
    without e-mail address and without postcode or huisnummer cannot be recognised in an
    export, so nothing is remembered."""
    records: list[Mapping[str, str]] = [_values_of(parent)]
    baseline = ParentBaseline.objects.filter(parent=parent).first()
    if baseline is not None:
        records.append(baseline.values)
    digests: set[str] = set()
    for values in records:
        digests |= identity_digests(school_id=parent.school_id, values=values)
    if not digests:
        return None
    return ParentTombstone.objects.create(
        school_id=parent.school_id,
        digests=sorted(digests),
        reason=reason,
        last_seen_on=timezone.localdate(),
    )


def tombstone_index(tombstones: Iterable[ParentTombstone]) -> dict[str, ParentTombstone]:
    return {digest: t for t in tombstones for digest in t.digests}
