import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout

SESSION_STARTED_KEY = "ocs_login_at"


class SessionPolicyMiddleware:
    """Absolute session time-out: a login lasts at most OCS_SESSION_ABSOLUTE_HOURS, however
    active the user is. (The idle time-out is SESSION_COOKIE_AGE with renewal per request.)"""

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
