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
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
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
