from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from lib.families import families_from_links
from mailings.models import OutgoingMessage
from schools.models import Guardianship

Status = OutgoingMessage.Status
# Mail that did not reach the mailbox: refused when sent, or bounced afterwards.
UNDELIVERED = (Status.FAILED, Status.BOUNCED)


def with_counts(mailings: QuerySet) -> QuerySet:
    """Per mailing: messages in total, sent, failed, waiting for a retry and bounced (one
    query)."""
    return mailings.annotate(
        total=Count("messages"),
        sent_count=Count("messages", filter=Q(messages__status=Status.SENT)),
        failed_count=Count("messages", filter=Q(messages__status=Status.FAILED)),
        retry_count=Count("messages", filter=Q(messages__status=Status.RETRY)),
        bounced_count=Count("messages", filter=Q(messages__status=Status.BOUNCED)),
    )


@dataclass
class Family:
    """The recipients of a mailing who share children (two households of one child are one
    family), with the children's names. Parents without children (special groups only) are a
    family of their own."""

    children: list[str] = field(default_factory=list)
    messages: list[OutgoingMessage] = field(default_factory=list)
    # Guardians of these children who got no message (blocked, no e-mail address, or not
    # chosen), as (name, reason): the record shows who was informed and who was not.
    absent: list[tuple[str, str]] = field(default_factory=list)

    @property
    def read(self) -> bool:
        return any(m.read_at is not None for m in self.messages)

    @property
    def all_failed(self) -> bool:
        return all(m.status in UNDELIVERED for m in self.messages)

    @property
    def parent_ids(self) -> list[int]:
        return sorted(m.parent_id for m in self.messages)

    @property
    def key(self) -> str:
        # Stable while the family's recipients stay the same: the reminder limit's subject.
        return "-".join(str(pk) for pk in self.parent_ids)

    @property
    def label(self) -> str:
        parents = ", ".join(m.name or m.email for m in self.messages)
        if not self.children:
            return parents
        return f"{', '.join(self.children)} ({parents})"


@dataclass
class Reach:
    messages: list[OutgoingMessage]
    families: list[Family]

    @property
    def read_families(self) -> int:
        return sum(1 for f in self.families if f.read)

    @property
    def not_reached(self) -> list[Family]:
        return [f for f in self.families if not f.read]


def mailing_reach(mailing) -> Reach:
    """Per recipient and per family: delivered, failed, read in the portal, and the family's
    guardians who got no message. Three queries, whatever the number of families."""
    messages = list(
        OutgoingMessage.objects.filter(mailing=mailing, is_sender_copy=False, parent__isnull=False)
        .only(
            "pk",
            "parent_id",
            "name",
            "email",
            "status",
            "read_at",
            "last_error",
            "sent_at",
            "is_sender_copy",
        )
        .order_by("name", "email")
    )
    by_parent = {m.parent_id: m for m in messages}
    links = Guardianship.objects.filter(
        parent_id__in=[*by_parent], pupil__group__isnull=False
    ).values_list("parent_id", "pupil_id", "pupil__first_name", "pupil__infix", "pupil__last_name")
    names: dict[int, str] = {}
    pairs: list[tuple[int, int]] = []
    for parent_id, pupil_id, first, infix, last in links:
        names[pupil_id] = " ".join(part for part in (first, infix, last) if part)
        pairs.append((pupil_id, parent_id))
    families: list[Family] = []
    family_of_parent: dict[int, Family] = {}
    family_of_pupil: dict[int, Family] = {}
    for ids in families_from_links(pairs, parent_ids=by_parent):
        family = Family(children=[names[pk] for pk in ids.pupil_ids])
        families.append(family)
        family_of_parent.update(dict.fromkeys(ids.parent_ids, family))
        family_of_pupil.update(dict.fromkeys(ids.pupil_ids, family))
    for message in messages:
        family_of_parent[message.parent_id].messages.append(message)
    others = (
        # Only children of the groups mailed: a sibling elsewhere brings no one who should
        # have had this mail.
        Guardianship.objects.filter(
            pupil_id__in=list(family_of_pupil), pupil__group__in=mailing.groups.values("pk")
        )
        .exclude(
            parent_id__in=OutgoingMessage.objects.filter(
                mailing=mailing, parent__isnull=False
            ).values("parent_id")
        )
        .values_list(
            "pupil_id",
            "parent_id",
            "parent__first_name",
            "parent__infix",
            "parent__last_name",
            "parent__email",
            "parent__is_blocked",
        )
    )
    seen: set[tuple[int, int]] = set()
    for pupil_id, parent_id, first, infix, last, email, blocked in others:
        family = family_of_pupil[pupil_id]
        if (id(family), parent_id) in seen:
            continue
        seen.add((id(family), parent_id))
        reason = _("geblokkeerd") if blocked else _("geen e-mailadres") if not email else ""
        name = " ".join(part for part in (first, infix, last) if part)
        family.absent.append((name, reason or _("niet gekozen")))
    for family in families:
        family.children.sort()
        family.absent.sort()
    ordered = sorted(families, key=lambda f: f.label.lower())
    return Reach(messages=messages, families=ordered)
