from django.db import models
from django.http import HttpRequest

from audit.models import AuditEvent
from lib.net import client_ip

# Keys that must never reach the audit log, whatever a caller passes.
_FORBIDDEN_KEYS = {"password", "token", "body", "message", "text", "html"}


def _actor_label(request, actor) -> str:
    # Staff are named so the log stays readable after their account goes; parents only by
    # id, so erasing a parent leaves no personal data behind in the log.
    if actor is None:
        return ""
    staff = getattr(request, "staff", None)
    if staff is not None:
        return f"{staff.full_name} <{actor.email}>"
    return f"gebruiker #{actor.pk}"


def audit_record(
    *,
    request: HttpRequest | None,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    school=None,
    ip: str | None = None,
    actor_label: str | None = None,
    **detail,
) -> AuditEvent:
    """Write one audit entry. Views call this after a successful action."""
    bad = _FORBIDDEN_KEYS & set(detail)
    if bad:
        raise ValueError(f"audit detail may not contain {sorted(bad)}")
    user = getattr(request, "user", None)
    actor = user if user is not None and user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(obj.pk)
        school = school or getattr(obj, "school", None)
    if school is None and request is not None:
        staff = getattr(request, "staff", None)
        school = staff.school if staff is not None else None
    return AuditEvent.objects.create(
        school=school,
        actor=actor,
        actor_label=actor_label if actor_label is not None else _actor_label(request, actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip_address=ip or client_ip(request),
    )


def mask_email(address: str) -> str:
    """'petra.jansen@example.nl' -> 'p***@e***.nl': enough to recognise, not to use."""
    local, _, domain = (address or "").partition("@")
    if not domain:
        return "***" if address else ""
    name, _, tld = domain.rpartition(".")
    return f"{local[:1]}***@{(name or tld)[:1]}***.{tld if name else ''}".rstrip(".")


def schools_of_user(user) -> list:
    """The schools where a login holds a staff role or a parent record."""
    from schools.models import School

    if user is None or user.pk is None:
        return []
    return list(
        School.objects.filter(models.Q(staff__user=user) | models.Q(parents__user=user)).distinct()
    )


def audit_identity(*, request: HttpRequest | None, user, action: str, **detail) -> list:
    """An event about a login (logins, password, second factor, address): one entry in the
    Logboek of every school where the person has a role, none elsewhere. Returns those
    schools."""
    from schools.models import StaffMember

    schools = schools_of_user(user)
    # Staff are named in their school's log; parents by account number only.
    names = {
        member.school_id: f"{member.full_name} <{user.email}>"
        for member in StaffMember.objects.filter(user=user)
    }
    for school in schools or [None]:
        label = names.get(school.pk if school else None, f"gebruiker #{user.pk}")
        audit_record(
            request=request,
            action=action,
            object_type="user",
            object_id=str(user.pk),
            school=school,
            actor_label=label,
            **detail,
        )
    return schools
