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
        "uitgenodigd_op": parent.invited_at.isoformat() if parent.invited_at else None,
    }


def _account(parent: Parent) -> dict | None:
    user = parent.user
    if user is None:
        return None
    return {
        "e-mail": user.email,
        "aangemaakt_op": user.date_joined.isoformat(),
        "laatst_ingelogd": user.last_login.isoformat() if user.last_login else None,
        "wachtwoord_ingesteld": user.has_usable_password(),
    }


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

    events = AuditEvent.objects.filter(object_type="parent", object_id=str(parent.pk))
    return [
        {"tijd": e.created_at.isoformat(), "door": e.actor_label, "handeling": e.action}
        for e in events
    ]


register(Section("ouder", _parent_data))
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


register(Section("inschrijvingen", _signups))
register(Section("oudergesprekken", _conferences))
