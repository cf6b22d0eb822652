"""Parents' own corrections ("Mijn gegevens") and the administration's decision on them."""

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from families.models import DetailChange, FamilyPolicy
from parents.services import EDITABLE_FIELDS, parent_update
from schools.models import Parent, School, StaffMember

# What a parent may correct themselves; names stay the administration's (they come from the
# school's registration and the import).
SELF_SERVICE_FIELDS = ("email", "phone", "street", "house_number", "postcode", "city")


class DetailChangeError(Exception):
    """A change that cannot be made; the message is Dutch and shown to the user."""


def family_policy(*, school: School) -> FamilyPolicy:
    """The school's policy; a school that never chose has the defaults (apply at once)."""
    policy = FamilyPolicy.objects.filter(school=school).first()
    return policy or FamilyPolicy(school=school)


POLICY_FIELDS = ("approve_changes", "consent_one_no_wins")


@transaction.atomic
def family_policy_set(*, school: School, request: HttpRequest | None, **values) -> FamilyPolicy:
    """Change the school's choices (approve_changes, consent_one_no_wins); audited."""
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields {sorted(unknown)}")
    policy, _created = FamilyPolicy.objects.update_or_create(school=school, defaults=values)
    audit_record(
        request=request,
        action="settings",
        object_type="school",
        object_id=str(school.pk),
        school=school,
        **{f"family_{name}": value for name, value in values.items()},
    )
    return policy


def family_policy_update(
    *, school: School, approve_changes: bool, request: HttpRequest | None
) -> FamilyPolicy:
    return family_policy_set(school=school, request=request, approve_changes=approve_changes)


def _apply(*, parent: Parent, values: dict, request: HttpRequest | None) -> list[str]:
    """Write the new values through the Ouderoverzicht's own edit (which tells the old
    address and asks the person to confirm a new login address)."""
    data = {name: getattr(parent, name) for name in EDITABLE_FIELDS}
    data.update({name: change["new"] for name, change in values.items()})
    if data["email"]:
        taken = (
            Parent.objects.filter(school_id=parent.school_id, email__iexact=data["email"])
            .exclude(pk=parent.pk)
            .exists()
        )
        if taken:
            raise DetailChangeError(_("Dit e-mailadres hoort al bij een andere ouder."))
    return parent_update(parent=parent, data=data, request=request)


@transaction.atomic
def details_submit(
    *, parent: Parent, data: dict, request: HttpRequest | None
) -> DetailChange | None:
    """A parent's correction of their own details. Returns the recorded change (applied, or
    waiting for the administration when the school asks for approval), None when nothing
    differs. A newer waiting change replaces the older one."""
    current = Parent.objects.select_for_update(of=("self",)).get(pk=parent.pk)
    values = {
        name: {"old": getattr(current, name), "new": data[name]}
        for name in SELF_SERVICE_FIELDS
        if getattr(current, name) != data[name]
    }
    pending = DetailChange.objects.filter(parent=current, status=DetailChange.Status.PENDING)
    if not values:
        withdrawn = pending.delete()[0]
        if withdrawn:
            audit_record(request=request, action="withdraw", obj=current, detail_change=True)
        return None
    user = getattr(request, "user", None)
    change = DetailChange(
        school_id=current.school_id,
        parent=current,
        submitted_by=user if user is not None and user.is_authenticated else None,
        values=values,
    )
    if family_policy(school=current.school).approve_changes:
        pending.delete()
        change.status = DetailChange.Status.PENDING
        change.save()
        audit_record(
            request=request,
            action="request",
            obj=current,
            detail_change=str(change.public_id),
            fields=sorted(values),
        )
    else:
        _apply(parent=current, values=values, request=request)
        pending.delete()
        change.status = DetailChange.Status.APPLIED
        change.decided_at = timezone.now()
        change.save()
    # The caller's copy shows what the school now has.
    for name in SELF_SERVICE_FIELDS:
        setattr(parent, name, getattr(current, name))
    return change


@transaction.atomic
def detail_change_decide(
    *, change: DetailChange, staff: StaffMember, approve: bool, request: HttpRequest | None
) -> DetailChange:
    """The administration approves (the values are applied now) or refuses a waiting change."""
    change = DetailChange.objects.select_for_update().select_related("parent").get(pk=change.pk)
    if change.school_id != staff.school_id:
        raise DetailChangeError(_("Deze wijziging hoort niet bij uw school."))
    if change.status != DetailChange.Status.PENDING:
        raise DetailChangeError(_("Over deze wijziging is al beslist."))
    parent = Parent.objects.select_for_update(of=("self",)).get(pk=change.parent_id)
    if approve:
        _apply(parent=parent, values=change.values, request=request)
        change.status = DetailChange.Status.APPLIED
    else:
        change.status = DetailChange.Status.REFUSED
    change.decided_by = staff
    change.decided_at = timezone.now()
    change.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        request=request,
        action="approve" if approve else "refuse",
        obj=parent,
        detail_change=str(change.public_id),
        fields=sorted(change.values),
    )
    return change


@transaction.atomic
def parent_language_set(*, parent: Parent, language: str, request: HttpRequest | None) -> bool:
    """The parent's language for the portal and OCS's own mails. Returns whether it changed."""
    if language not in dict(Parent._meta.get_field("language").choices):
        raise DetailChangeError(_("Kies Nederlands of English."))
    changed = (
        Parent.objects.filter(pk=parent.pk).exclude(language=language).update(language=language)
    )
    parent.language = language
    if changed:
        audit_record(request=request, action="edit", obj=parent, fields=["language"])
    return bool(changed)
