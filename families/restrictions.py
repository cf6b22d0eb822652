"""Two households: a guardian restricted for a child by the administration."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from audit.services import audit_record
from conferences.services import talks_cancel_for_restricted
from families.models import GuardianRestriction
from mailings.questions import answers_forget
from mailings.services import outbox_withdraw_for_restricted
from schools.models import Guardianship, Parent, Pupil, StaffMember


class RestrictionError(Exception):
    """Dutch message for the user."""


@transaction.atomic
def restriction_add(
    *, parent: Parent, pupil: Pupil, reason: str, staff: StaffMember, request: HttpRequest | None
) -> GuardianRestriction:
    """Restrict `parent` for `pupil`: the link goes, the restriction (with reason) stays."""
    if not staff.is_manager or staff.school_id != pupil.school_id:
        raise RestrictionError(_("Alleen de directie en de beheerder kunnen dit."))
    reason = reason.strip()
    if not reason:
        raise RestrictionError(_("Vul de reden in (bijvoorbeeld een uitspraak van de rechter)."))
    link = Guardianship.objects.select_for_update().filter(parent=parent, pupil=pupil).first()
    if link is None:
        raise RestrictionError(_("Deze ouder is niet (meer) gekoppeld aan dit kind."))
    restriction = GuardianRestriction.objects.create(
        school_id=pupil.school_id,
        pupil=pupil,
        parent=parent,
        relation=link.relation,
        reason=reason,
        created_by=staff,
    )
    link.delete()
    # What the guardian had about the child goes with the link, in this transaction: their
    # future talks (the other guardian's bookings and the teacher's plan stay) and their mail
    # still waiting in the outbox.
    restriction.talks_cancelled = talks_cancel_for_restricted(parent=parent, pupil=pupil)
    restriction.mail_withdrawn = outbox_withdraw_for_restricted(parent=parent, pupil=pupil)
    # No say for the child any more: answers they gave to a mailing's question go too.
    restriction.answers_removed = answers_forget(parent=parent, pupil=pupil)
    # The reason stays out of the log: only directie and beheerder may read it, on its page.
    audit_record(
        request=request,
        action="restrict",
        obj=parent,
        pupil_id=pupil.pk,
        talks_cancelled=restriction.talks_cancelled,
        mail_withdrawn=restriction.mail_withdrawn,
        answers_removed=restriction.answers_removed,
    )
    return restriction


@transaction.atomic
def restriction_lift(
    *, restriction: GuardianRestriction, staff: StaffMember, request: HttpRequest | None
) -> None:
    if not staff.is_manager or staff.school_id != restriction.school_id:
        raise RestrictionError(_("Alleen de directie en de beheerder kunnen dit."))
    Guardianship.objects.get_or_create(
        parent_id=restriction.parent_id,
        pupil_id=restriction.pupil_id,
        defaults={"relation": restriction.relation},
    )
    audit_record(
        request=request, action="unrestrict", obj=restriction.parent, pupil_id=restriction.pupil_id
    )
    restriction.delete()


def restrictions_enforce(*, school_id: int) -> int:
    """Take away links an import made again for restricted guardians (called inside the
    import's transaction). Returns how many."""
    removed = 0
    for restriction in GuardianRestriction.objects.filter(school_id=school_id):
        removed += Guardianship.objects.filter(
            parent_id=restriction.parent_id, pupil_id=restriction.pupil_id
        ).delete()[0]
    return removed
