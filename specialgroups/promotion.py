"""Promotion from the waiting list: kept apart from specialgroups.services (which calls it
when a place frees) and specialgroups.waitlist (which uses the services' errors), so the
imports run one way."""

from django.db import transaction

from schools.models import Parent
from specialgroups.models import Signup, SpecialGroup, WaitlistEntry
from specialgroups.selectors import parent_may_join, signup_is_closed
from specialgroups.signals import member_promoted


def waitlist_promote(*, special_group: SpecialGroup) -> list[Parent]:
    """Fill free places from the waiting list, in order, before the end date (first-come
    groups only). Call inside the transaction that freed the place, or on its own."""
    promoted = []
    with transaction.atomic():
        group = SpecialGroup.objects.select_for_update().get(pk=special_group.pk)
        if group.lottery or signup_is_closed(group) or group.max_participants is None:
            return []
        free = group.max_participants - Signup.objects.filter(special_group=group).count()
        for entry in WaitlistEntry.objects.filter(special_group=group).select_related("parent"):
            if free <= 0:
                break
            entry.delete()
            parent = entry.parent
            if parent.is_blocked or not parent_may_join(special_group=group, parent=parent):
                continue
            Signup.objects.create(special_group=group, parent=parent)
            member_promoted.send(sender=SpecialGroup, special_group=group, parent=parent)
            promoted.append(parent)
            free -= 1
    return promoted
