from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class EmailBackend(ModelBackend):
    """E-mail and password, case-insensitive. A user counts as able to log in only while they
    hold an active staff role or an unblocked parent record: a blocked parent with no staff
    role gets the same answer as a wrong password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        try:
            user = User.objects.get(email__iexact=username.strip())
        except User.DoesNotExist:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if not user.check_password(password):
            return None
        if self.user_can_authenticate(user):
            return user
        # The right password of a login whose school paused it: the page says the same as
        # for a wrong password, but the person hears by mail (at most daily) whom to ask.
        blocked_login_notice(user)
        return None

    def get_user(self, user_id):
        # Per request only `is_active`: blocking a parent or deactivating staff rotates the
        # user's session stamp (ending their sessions), and every view's access helper checks
        # the parent's block and the staff role again. This saves two queries on every page.
        user = User._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None

    def user_can_authenticate(self, user) -> bool:
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        from schools.models import Parent, StaffMember

        return (
            StaffMember.objects.filter(user=user, is_active=True).exists()
            or Parent.objects.filter(user=user, is_blocked=False).exists()
        )


def blocked_login_notice(user: User) -> None:
    from django.db import transaction

    from accounts.ratelimit import BLOCKED_NOTICE, rate_hit
    from accounts.services import email_enqueue
    from schools.models import Parent

    blocked = list(Parent.objects.filter(user=user, is_blocked=True).select_related("school"))
    if not blocked or not user.is_active:
        return
    with transaction.atomic():
        if not rate_hit(BLOCKED_NOTICE, user.pk):
            return
        email_enqueue(
            to=user.email,
            template="login_paused",
            context={"schools": [parent.school for parent in blocked]},
            school=None,
        )
