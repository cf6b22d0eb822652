from django.http import HttpRequest

from audit.models import AuditEvent

# Keys that must never reach the audit log, whatever a caller passes.
_FORBIDDEN_KEYS = {"password", "token", "body", "message", "text", "html"}


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
        actor_label=_actor_label(request, actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        ip_address=client_ip(request),
    )
