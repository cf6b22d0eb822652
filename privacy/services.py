from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from privacy.registry import sections
from schools.import_undo import UNDO_DAYS
from schools.models import ImportBatch, Parent, ParentTombstone, Pupil, School, StaffMember


def parent_export(*, parent: Parent) -> dict:
    """Everything OCS holds about one parent, as one JSON-ready document."""
    document = {
        "format": "OCS AVG-export 1",
        "exported_at": timezone.now().isoformat(),
        "school": parent.school.name,
    }
    for section in sections():
        document[section.name] = section.export(parent)
    return document


@transaction.atomic
def parent_erase(
    *, parent: Parent, request=None, action: str = "erase", remember: str = ""
) -> None:
    """Remove a parent and every trace of their personal data: the parent row (their links
    to pupils and other apps' rows cascade), their login unless it is also a staff login,
    what each app's AVG section erases, and the login throttle's records of the address.
    Their children stay (with their other parent, or shown as without parent). One audit
    entry records who removed which parent id and the ids of the linked pupils.

    With `remember` (a ParentTombstone reason) a tombstone keeps the next import from
    creating the parent again: keyed hashes of their identifying fields, no personal data
    (see schools/tombstones.py). Retention removes parents without one: they left."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    from schools.tombstones import parent_tombstone_create

    parent_id, school = parent.pk, parent.school
    pupil_ids = sorted(parent.guardianships.values_list("pupil_id", flat=True))
    for section in sections():
        if section.erase is not None:
            section.erase(parent)
    if remember:
        parent_tombstone_create(parent=parent, reason=remember)
    user = parent.user
    parent.delete()
    # The login is its person's. It goes only when nothing else holds it (no parent record
    # or staff role at any school); then its throttle records go with it.
    if (
        user is not None
        and not Parent.objects.filter(user=user).exists()
        and not StaffMember.objects.filter(user=user).exists()
    ):
        email = user.email
        user.delete()
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=email).delete()
    audit_record(
        request=request,
        action=action,
        object_type="parent",
        object_id=str(parent_id),
        school=school,
        pupil_ids=pupil_ids,
    )


IMPORT_KEEP = timedelta(days=1)


def _days(name: str, default: int) -> timedelta:
    return timedelta(days=getattr(settings, name, default))


@transaction.atomic
def retention_run(*, school: School | None = None, dry_run: bool = False) -> dict[str, int]:
    """Remove what the retention periods no longer allow us to keep. Returns counts."""
    now = timezone.now()
    today = timezone.localdate()
    report: dict[str, int] = {}
    left_before = today - _days("OCS_RETENTION_LEFT_DAYS", 365)
    pupils = Pupil.objects.filter(left_on__lt=left_before, group__isnull=True)
    if school is not None:
        pupils = pupils.filter(school=school)
    # A parent goes only when every one of their children left before the cut-off.
    parents = (
        Parent.objects.filter(pupils__in=pupils)
        .exclude(pupils__left_on__isnull=True)
        .exclude(pupils__left_on__gte=left_before)
        .distinct()
    )
    report["parents"] = parents.count()
    report["pupils"] = pupils.count()
    if not dry_run:
        for parent in parents.select_related("user", "school"):
            parent_erase(parent=parent)
        pupils.delete()
    mail_cutoff = now - _days("OCS_RETENTION_MAIL_DAYS", 365)
    for section in sections():
        if section.expire is not None:
            report[section.name] = 0 if dry_run else section.expire(school, mail_cutoff)
    # An uploaded export holds the whole school's personal data; one not confirmed within a
    # day is abandoned (confirmed ones were emptied when applied). An applied import keeps
    # its record of changes (with the values it replaced) only as long as it can be undone.
    imports = ImportBatch.objects.filter(
        Q(applied_at__isnull=True, created_at__lt=now - IMPORT_KEEP)
        | Q(applied_at__lt=now - timedelta(days=UNDO_DAYS))
    )
    # Tombstones of deleted parents whom no export mentioned for the retention period.
    tombstones = ParentTombstone.objects.filter(last_seen_on__lt=left_before)
    if school is not None:
        imports = imports.filter(school=school)
        tombstones = tombstones.filter(school=school)
    report["imports"] = imports.count()
    report["tombstones"] = tombstones.count()
    if not dry_run:
        imports.delete()
        tombstones.delete()
    # Attachments kept from a form that came back and was never sent.
    from mailings.services import pending_remove_stale

    report["pending_attachments"] = pending_remove_stale(
        before=now - IMPORT_KEEP, school=school, dry_run=dry_run
    )
    # Rate-limit counters of windows long past (they hold digests, not addresses).
    if school is None and not dry_run:
        from throttle.limits import rate_counters_expire

        report["rate_counters"] = rate_counters_expire()
    audit = AuditEvent.objects.filter(
        created_at__lt=now - _days("OCS_RETENTION_AUDIT_DAYS", 2 * 365)
    )
    if school is not None:
        audit = audit.filter(school=school)
    report["audit"] = audit.count()
    if not dry_run:
        audit.delete()
    return report
