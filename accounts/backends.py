from django.contrib.auth.backends import ModelBackend

from accounts.mail import blocked_login_notice
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
        # Per request only `is_active`: every view's access helper checks the parent's block
        # and the staff role at the current school again (and blocking someone without another
        # role rotates their session stamp). This saves two queries on every page.
        user = User._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None

    def user_can_authenticate(self, user) -> bool:
        return user.may_log_in()
