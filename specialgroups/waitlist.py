"""A waiting list for full groups and a lottery for popular ones.

Waiting list: a parent who finds a group full may wait; when a place frees before the end
date, the first in line gets it at once (the same lock as signing up: lock the group's row,
count, insert) and the member_promoted signal lets the mail apps tell them.

Lottery: until the end date parents enter; afterwards staff draw the places once. Parents
who lost the school's previous draw go first; within each tier the order comes from a seeded
shuffle, and the seed is kept (LotteryDraw and the Logboek) so the draw can be replayed."""

import secrets
from random import Random

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from schools.models import Parent
from specialgroups.models import LotteryDraw, Signup, SpecialGroup, WaitlistEntry
from specialgroups.promotion import waitlist_promote  # noqa: F401  (part of this API)
from specialgroups.selectors import parent_may_join, signup_is_closed
from specialgroups.services import SignupClosed, SignupError, SignupNotAllowed
from specialgroups.signals import lottery_drawn


class NotFull(SignupError):
    message = _("Er is nog plaats: u kunt zich gewoon inschrijven.")


class AlreadyWaiting(SignupError):
    message = _("U staat al op de wachtlijst.")


class DrawError(SignupError):
    message = _("Loten kan één keer, na de einddatum van de inschrijving.")


def waitlist_join(*, special_group: SpecialGroup, parent: Parent) -> WaitlistEntry:
    """Wait for a place (full group) or enter the lottery (lottery group)."""
    try:
        with transaction.atomic():
            group = SpecialGroup.objects.select_for_update().filter(pk=special_group.pk).first()
            if group is None or parent.is_blocked or group.school_id != parent.school_id:
                raise SignupNotAllowed
            if not group.has_activity or not parent_may_join(special_group=group, parent=parent):
                raise SignupNotAllowed
            if signup_is_closed(group):
                raise SignupClosed
            if Signup.objects.filter(special_group=group, parent=parent).exists():
                raise SignupNotAllowed
            if not group.lottery:
                taken = Signup.objects.filter(special_group=group).count()
                if group.max_participants is None or taken < group.max_participants:
                    raise NotFull
            return WaitlistEntry.objects.create(special_group=group, parent=parent)
    except IntegrityError:
        raise AlreadyWaiting from None


def waitlist_leave(*, special_group: SpecialGroup, parent: Parent) -> bool:
    deleted, _rows = WaitlistEntry.objects.filter(
        special_group=special_group, parent=parent
    ).delete()
    return deleted > 0


def lottery_draw(*, special_group: SpecialGroup, seed: int | None = None) -> LotteryDraw:
    """Draw the places once, after the end date."""
    with transaction.atomic():
        group = SpecialGroup.objects.select_for_update().get(pk=special_group.pk)
        if not group.lottery or not signup_is_closed(group):
            raise DrawError
        if LotteryDraw.objects.filter(special_group=group).exists():
            raise DrawError
        seed = secrets.randbits(62) if seed is None else seed
        previous = (
            LotteryDraw.objects.filter(school_id=group.school_id)
            .order_by("-drawn_at", "-pk")
            .first()
        )
        lost_before = set(previous.losers) if previous else set()
        entries = list(
            WaitlistEntry.objects.filter(special_group=group, parent__is_blocked=False)
            .order_by("parent_id")
            .values_list("parent_id", flat=True)
        )
        # Not for secrets: the draw must replay from its recorded seed, which comes from
        # `secrets` above.
        rng = Random(seed)  # noqa: S311  # nosec B311
        first = [p for p in entries if p in lost_before]
        rest = [p for p in entries if p not in lost_before]
        rng.shuffle(first)
        rng.shuffle(rest)
        order = first + rest
        places = group.max_participants if group.max_participants is not None else len(order)
        places -= Signup.objects.filter(special_group=group).count()
        winners, losers = order[: max(places, 0)], order[max(places, 0) :]
        Signup.objects.bulk_create(
            [Signup(special_group=group, parent_id=p) for p in winners], ignore_conflicts=True
        )
        WaitlistEntry.objects.filter(special_group=group, parent_id__in=winners).delete()
        draw = LotteryDraw.objects.create(
            special_group=group,
            school_id=group.school_id,
            seed=seed,
            winners=winners,
            losers=losers,
            priority=sorted(first),
        )
        lottery_drawn.send(sender=SpecialGroup, special_group=group, draw=draw)
    return draw
