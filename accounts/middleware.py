import functools
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

SESSION_STARTED_KEY = "ocs_login_at"
SESSION_SEEN_KEY = "ocs_seen_at"
# An active user's session (row and cookie) is renewed at most this often: the idle time-out
# (SESSION_COOKIE_AGE) then counts from the last request give or take this many seconds,
# and a page view does not write the session.
SESSION_RENEW_SECONDS = 60


class SessionPolicyMiddleware:
    """Session time-outs. Absolute: a login lasts at most OCS_SESSION_ABSOLUTE_HOURS, however
    active the user is. Idle: SESSION_COOKIE_AGE after the last renewal, which a request
    makes when the previous one is more than SESSION_RENEW_SECONDS old."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            # A session that still names a user who may no longer log in (blocked parent,
            # deactivated staff) is ended, not just ignored.
            if SESSION_KEY in request.session:
                request.session.flush()
        else:
            started = request.session.get(SESSION_STARTED_KEY)
            now = int(time.time())
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.OCS_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return self.get_response(request)
            if now - request.session.get(SESSION_SEEN_KEY, 0) >= SESSION_RENEW_SECONDS:
                request.session[SESSION_SEEN_KEY] = now  # saved, with a fresh expiry
        return self.get_response(request)


class LazyOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, with the session's device loaded only when asked for.

    The stock middleware reads the device on every request that touches request.user.
    Staff pages learn whether the session passed its second factor from their access query
    instead (schools/access.py, `staff_of`), so they pay no query of their own for it;
    `user.is_verified()` still works everywhere and loads the device on its first call."""

    def _verify_user_sync(self, request, user):
        if user.is_authenticated:
            user.is_verified = functools.partial(self._device_verified, request, user)
        else:
            self._init_user_fields(user)
        return user

    def _device_verified(self, request, user) -> bool:
        if "otp_device" not in user.__dict__:  # django_otp.login() sets it directly
            persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
            device = self._device_from_persistent_id(persistent_id) if persistent_id else None
            user.otp_device = self._finalize_device(request, user, device)
        return user.otp_device is not None
