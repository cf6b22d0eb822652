"""The AVG sections of each app (see privacy/registry.py)."""

from privacy.registry import Section, register
from schools.models import Guardianship, Parent


def _parent_data(parent: Parent) -> dict:
    return {
        "voornaam": parent.first_name,
        "tussenvoegsel": parent.infix,
        "achternaam": parent.last_name,
        "e-mail": parent.email,
        "telefoon": parent.phone,
        "straat": parent.street,
        "huisnummer": parent.house_number,
        "postcode": parent.postcode,
        "plaats": parent.city,
        "geblokkeerd": parent.is_blocked,
        "taal": parent.language,
        "uitgenodigd_op": parent.invited_at.isoformat() if parent.invited_at else None,
    }


def _account(parent: Parent) -> dict:
    # The login is its person's, not the school's: it may be used at other schools too, so
    # a school's export says only whether this record is linked to one.
    return {"gekoppeld_aan_een_account": parent.user_id is not None}


def _children(parent: Parent) -> list[dict]:
    links = Guardianship.objects.filter(parent=parent).select_related("pupil__group")
    return [
        {
            "leerlingnummer": link.pupil.number,
            "naam": link.pupil.full_name,
            "groep": link.pupil.group.name if link.pupil.group else None,
            "relatie": link.relation,
        }
        for link in links
    ]


def _audit(parent: Parent) -> list[dict]:
    from audit.models import AuditEvent

    events = AuditEvent.objects.filter(
        school=parent.school, object_type="parent", object_id=str(parent.pk)
    )
    return [
        {"tijd": e.created_at.isoformat(), "door": e.actor_label, "handeling": e.action}
        for e in events
    ]


def _import_baseline(parent: Parent) -> dict | None:
    """What the last import of the school's export said about the parent (kept to tell the
    school's own changes from the export's; goes with the parent row)."""
    from schools.importer import FIELD_LABELS
    from schools.models import ParentBaseline

    baseline = ParentBaseline.objects.filter(parent=parent).first()
    if baseline is None:
        return None
    return {FIELD_LABELS.get(k, k): v for k, v in baseline.values.items()}


register(Section("ouder", _parent_data))
register(Section("laatste_import", _import_baseline))
register(Section("account", _account))
register(Section("kinderen", _children))
register(Section("logboek", _audit))


def _signups(parent: Parent) -> list[dict]:
    from specialgroups.models import Signup

    signups = Signup.objects.filter(parent=parent).select_related("special_group")
    return [
        {"speciale_groep": s.special_group.name, "ingeschreven_op": s.created_at.isoformat()}
        for s in signups
    ]


def _conferences(parent: Parent) -> list[dict]:
    from conferences.models import Slot

    slots = (
        Slot.objects.filter(pupil__in=parent.pupils.all())
        .select_related("round__group", "pupil")
        .order_by("starts_at")
    )
    return [
        {
            "groep": slot.round.group.name,
            "kind": slot.pupil.full_name,
            "begin": slot.starts_at.isoformat(),
            "einde": slot.ends_at.isoformat(),
            "door_mij_gepland": slot.booked_by_id == parent.pk,
        }
        for slot in slots
    ]


def _waitlists(parent: Parent) -> list[dict]:
    from specialgroups.models import WaitlistEntry

    entries = WaitlistEntry.objects.filter(parent=parent).select_related("special_group")
    return [
        {
            "speciale_groep": e.special_group.name,
            "loting": e.special_group.lottery,
            "sinds": e.created_at.isoformat(),
        }
        for e in entries
    ]


def _conference_wishes(parent: Parent) -> list[dict]:
    from conferences.models import ChildWish, PeriodWish

    wishes = [
        {"periode": w.period.name, "beschikbaar": w.windows, "opmerking": w.note}
        for w in PeriodWish.objects.filter(parent=parent).select_related("period")
    ]
    wishes += [
        {
            "periode": w.period.name,
            "kind": w.pupil.full_name,
            "apart_gesprek": w.separate,
            "tolk": w.interpreter,
            "kind_komt_mee": w.child_joins,
            "langer_gesprek": w.longer,
        }
        for w in ChildWish.objects.filter(parent=parent).select_related("period", "pupil")
    ]
    return wishes


def _swap_requests(parent: Parent) -> list[dict]:
    from conferences.models import SwapRequest

    rows = SwapRequest.objects.filter(parent=parent).select_related("period", "pupil", "to_slot")
    return [
        {
            "periode": r.period.name,
            "kind": r.pupil.full_name,
            "van": r.from_starts_at.isoformat(),
            "naar": r.to_slot.starts_at.isoformat(),
            "status": r.status,
            "gevraagd_op": r.created_at.isoformat(),
            "besloten_op": r.decided_at.isoformat() if r.decided_at else None,
        }
        for r in rows.order_by("created_at")
    ]


register(Section("inschrijvingen", _signups))
register(Section("oudergesprekken", _conferences))
register(Section("wachtlijsten_en_lotingen", _waitlists))
register(Section("voorkeuren_oudergesprekken", _conference_wishes))
register(Section("ruilverzoeken_oudergesprekken", _swap_requests))


def _messages_of(parent: Parent):
    """Mail to this parent record, by key only: never by address, which another school or
    another person's login may share. Mail that carried a link is listed without its body."""
    from mailings.models import OutgoingMessage

    return OutgoingMessage.objects.filter(parent=parent, is_sender_copy=False).select_related(
        "mailing"
    )


def _messages(parent: Parent) -> list[dict]:
    result = []
    for message in _messages_of(parent).order_by("created_at"):
        payload = message.payload or {}
        mailing = message.mailing
        result.append(
            {
                "onderwerp": mailing.subject if mailing else payload.get("subject", ""),
                "afzender": mailing.sender_name if mailing else "OCS",
                "bericht": (
                    mailing.body
                    if mailing
                    else ("" if message.carries_secret else payload.get("text", ""))
                ),
                "bijlagen": [a.filename for a in mailing.attachments.all()] if mailing else [],
                "aangemaakt_op": message.created_at.isoformat(),
                "status": message.status,
                "verzonden_op": message.sent_at.isoformat() if message.sent_at else None,
            }
        )
    return result


def _erase_messages(parent: Parent) -> int:
    from mailings.models import Mailing

    deleted, _ = _messages_of(parent).delete()
    # Mailings remember whom they could not reach (name and reason): forget this parent.
    for mailing in Mailing.objects.filter(school=parent.school).exclude(skipped=[]):
        kept = [entry for entry in mailing.skipped if entry.get("parent_id") != parent.pk]
        if len(kept) != len(mailing.skipped):
            mailing.skipped = kept
            mailing.save(update_fields=["skipped"])
    return deleted


def _expire_messages(school, before) -> int:
    """Mailings (body, attachments, per-recipient rows) and system mail older than `before`."""
    from django.core.files.storage import default_storage

    from mailings.models import Mailing, MailingAttachment, OutgoingMessage

    mailings = Mailing.objects.filter(created_at__lt=before)
    system = OutgoingMessage.objects.filter(
        mailing__isnull=True, created_at__lt=before, status__in=["sent", "failed"]
    )
    if school is not None:
        mailings = mailings.filter(school=school)
        system = system.filter(school=school)
    for attachment in MailingAttachment.objects.filter(mailing__in=mailings):
        default_storage.delete(attachment.file.name)
    removed = mailings.count() + system.count()
    mailings.delete()
    system.delete()
    return removed


register(Section("berichten", _messages, erase=_erase_messages, expire=_expire_messages))


def _answers(parent: Parent) -> list[dict]:
    """What this parent answered to a mailing's question ("Vraag om reactie"), per child."""
    from mailings.models import Answer

    answers = (
        Answer.objects.filter(answered_by=parent)
        .select_related("question__mailing", "choice", "pupil")
        .order_by("answered_at")
    )
    return [
        {
            "bericht": a.question.mailing.subject,
            "vraag": a.question.prompt,
            "kind": a.pupil.full_name,
            "antwoord": a.choice.label,
            "gegeven_op": a.answered_at.isoformat(),
        }
        for a in answers
    ]


def _erase_answers(parent: Parent) -> int:
    from mailings.models import Answer

    deleted, _ = Answer.objects.filter(answered_by=parent).delete()
    return deleted


register(Section("antwoorden_op_vragen", _answers, erase=_erase_answers))
