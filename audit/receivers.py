"""The audit log's entries for events that apps below `audit` announce (they cannot import
audit_record without importing upwards)."""

from django.dispatch import receiver

from audit.services import audit_record
from schools.signals import import_applied, import_undone


@receiver(import_applied)
def import_recorded(sender, *, request, batch, summary, **kwargs) -> None:
    audit_record(request=request, action="import", obj=batch, **summary)


@receiver(import_undone)
def import_undo_recorded(sender, *, request, batch, summary, **kwargs) -> None:
    audit_record(request=request, action="import_undo", obj=batch, **summary)
