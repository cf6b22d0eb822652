"""An import or its undo may link a restricted guardian to the child again; take it away."""

from django.dispatch import receiver

from families.restrictions import restrictions_enforce
from schools.signals import import_applied, import_undone


@receiver(import_applied)
@receiver(import_undone)
def keep_restrictions(sender, request=None, batch=None, **kwargs):
    restrictions_enforce(school_id=batch.school_id)
