"""Rate limits shared by every web process and server: counters live in the database.

A fixed window per key; one statement (an upsert returning the new count) counts a hit
atomically on SQLite and PostgreSQL alike, inside the caller's transaction, so a request
that counts a hit and makes its change still commits once. (django-ratelimit keeps its
counters in Django's cache, whose database backend increments with a read and a write:
under a rush that lets more through than the limit.)
"""

import hashlib
import time
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext_lazy as _

from throttle.models import RateCounter

TOO_MANY = _("U heeft dit te vaak gedaan in korte tijd. Probeer het over een paar minuten opnieuw.")


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int
    seconds: int


# One place for every limit OCS applies.
RESET_PER_ADDRESS = Limit("reset-address", 3, 3600)
RESET_PER_CLIENT = Limit("reset-client", 20, 3600)
INVITE_PER_SCHOOL = Limit("invite-school", 20, 3600)
INVITE_PER_PARENT = Limit("invite-parent", 3, 24 * 3600)
INVITE_ACCEPT_PER_LOGIN = Limit("invite-accept", 5, 900)
BOOKING_PER_PARENT = Limit("booking-parent", 12, 600)
SIGNUP_PER_PARENT = Limit("signup-parent", 20, 600)
BLOCKED_NOTICE = Limit("blocked-notice", 1, 24 * 3600)
EMAIL_CONFIRM_PER_USER = Limit("email-confirm", 5, 3600)
CONSENT_REMINDER_PER_ROUND = Limit("consent-reminder", 1, 12 * 3600)
# "Herinnering sturen": a family hears at most one reminder a day, whatever the mailing.
REMINDER_PER_FAMILY = Limit("reminder-family", 1, 24 * 3600)


def _key(limit: Limit, subject: str) -> str:
    # Subjects may be addresses: store a digest, not the address itself.
    digest = hashlib.sha256(subject.strip().lower().encode()).hexdigest()[:32]
    return f"{limit.name}:{digest}"


def _upsert_sql() -> str:
    """One statement: insert the window's first hit or add one, and return the count."""
    q = connection.ops.quote_name
    table, key, start, hits = (
        q(RateCounter._meta.db_table),
        q("key"),
        q("window_start"),
        q("hits"),
    )
    # Only names from the model go into the text; the values are parameters.
    return (
        f"INSERT INTO {table} ({key}, {start}, {hits}) VALUES (%s, %s, 1) "  # noqa: S608  # nosec B608
        f"ON CONFLICT ({key}, {start}) DO UPDATE SET {hits} = {table}.{hits} + 1 "
        f"RETURNING {hits}"
    )


def rate_hit(limit: Limit, subject: str | int | None) -> bool:
    """Count one hit for `subject`; False when it goes over the limit (the hit still counts,
    so hammering does not reopen the window)."""
    if subject is None or subject == "":
        return True
    window = int(time.time()) // limit.seconds * limit.seconds
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(), [_key(limit, str(subject)), window])
        (hits,) = cursor.fetchone()
    return hits <= limit.hits


def rate_counters_expire(*, older_than_seconds: int = 2 * 24 * 3600) -> int:
    deleted, _ = RateCounter.objects.filter(
        window_start__lt=int(time.time()) - older_than_seconds
    ).delete()
    return deleted
