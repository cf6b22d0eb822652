"""Special groups and sign-ups. The maximum and the deadline are decided inside one
transaction that holds a lock on the special group's row: lock, count, insert."""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from schools.models import Group, Parent, School
from specialgroups.models import Signup, SpecialGroup
from specialgroups.promotion import waitlist_promote
from specialgroups.selectors import parent_may_join, signup_is_closed


class SignupError(Exception):
    """A sign-up that cannot happen; str() is the Dutch message for the user."""

    message = _("Inschrijven is niet gelukt.")

    def __str__(self) -> str:
        return str(self.message)


class SignupFull(SignupError):
    message = _("Helaas, deze groep is vol. Er zijn geen plaatsen meer vrij.")


class SignupClosed(SignupError):
    message = _("De inschrijving voor deze groep is gesloten: de einddatum is voorbij.")


class SignupNotAllowed(SignupError):
    message = _("U kunt zich niet voor deze groep inschrijven.")


class LotteryOnly(SignupError):
    message = _("Voor deze groep wordt geloot: doe mee aan de loting.")


class AlreadySignedUp(SignupError):
    message = _("U bent al ingeschreven voor deze groep.")


def _between_count_and_insert() -> None:
    """Nothing in production. Tests replace it with a short sleep to widen the window
    between counting and inserting, so the race without a lock shows reliably."""


def signup_create(
    *,
    special_group: SpecialGroup,
    parent: Parent,
    added_by=None,
    enforce_deadline: bool = True,
    lock: bool = True,
) -> Signup:
    """Sign a parent up. Staff adding a member by hand pass enforce_deadline=False (the
    maximum still holds). `lock=False` exists only for the test that shows the race."""
    try:
        with transaction.atomic():
            rows = SpecialGroup.objects.filter(pk=special_group.pk)
            if lock:
                rows = rows.select_for_update()
            group = rows.first()
            if group is None or parent.is_blocked or group.school_id != parent.school_id:
                raise SignupNotAllowed
            if not parent_may_join(special_group=group, parent=parent):
                raise SignupNotAllowed
            if enforce_deadline and signup_is_closed(group):
                raise SignupClosed
            if enforce_deadline and group.lottery:
                raise LotteryOnly
            counts = Signup.objects.filter(special_group=group).aggregate(
                taken=Count("pk"), mine=Count("pk", filter=Q(parent=parent))
            )
            if counts["mine"]:
                raise AlreadySignedUp
            if group.max_participants is not None:
                if counts["taken"] >= group.max_participants:
                    raise SignupFull
                _between_count_and_insert()
            return Signup.objects.create(special_group=group, parent=parent, added_by=added_by)
    except IntegrityError:  # a double click that got past the check without the lock
        raise AlreadySignedUp from None


def signup_delete(*, special_group: SpecialGroup, parent: Parent) -> bool:
    """Withdraw; frees the place, which goes to the first on the waiting list (before the
    end date). True when there was a sign-up."""
    with transaction.atomic():
        deleted, _detail = Signup.objects.filter(
            special_group=special_group, parent=parent
        ).delete()
        if deleted:
            waitlist_promote(special_group=special_group)
    return deleted > 0


class SpecialGroupError(Exception):
    pass


def special_group_create(
    *,
    school: School,
    created_by,
    name: str,
    has_activity: bool,
    main_group: Group | None = None,
    description: str = "",
    signup_deadline: date | None = None,
    max_participants: int | None = None,
    eligible_groups: Iterable[Group] = (),
) -> SpecialGroup:
    with transaction.atomic():
        special_group = SpecialGroup.objects.create(
            school=school,
            created_by=created_by,
            name=name,
            has_activity=has_activity,
            main_group=None if has_activity else main_group,
            description=description if has_activity else "",
            signup_deadline=signup_deadline if has_activity else None,
            max_participants=max_participants if has_activity else None,
        )
        if has_activity:
            special_group.eligible_groups.set(eligible_groups)
    return special_group


def special_group_update(
    *,
    special_group: SpecialGroup,
    name: str,
    main_group: Group | None = None,
    description: str = "",
    signup_deadline: date | None = None,
    max_participants: int | None = None,
    eligible_groups: Iterable[Group] = (),
) -> SpecialGroup:
    """Change a group; its kind stays. A maximum below the current sign-ups is refused."""
    with transaction.atomic():
        locked = SpecialGroup.objects.select_for_update().get(pk=special_group.pk)
        if special_group.has_activity and max_participants is not None:
            taken = Signup.objects.filter(special_group=locked).count()
            if max_participants < taken:
                raise SpecialGroupError(
                    _("Er zijn al %(n)d inschrijvingen; het maximum kan niet lager zijn.")
                    % {"n": taken}
                )
        special_group.name = name
        if special_group.has_activity:
            special_group.description = description
            special_group.signup_deadline = signup_deadline
            special_group.max_participants = max_participants
            special_group.save()
            special_group.eligible_groups.set(eligible_groups)
        else:
            special_group.main_group = main_group
            special_group.save()
    return special_group


def special_group_delete(*, special_group: SpecialGroup) -> None:
    special_group.delete()


def portal_list_seen(*, parent: Parent) -> None:
    from specialgroups.models import PortalListVisit

    # One upsert statement, on SQLite and PostgreSQL alike.
    PortalListVisit.objects.bulk_create(
        [PortalListVisit(parent=parent, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["parent"],
        update_fields=["seen_at"],
    )
