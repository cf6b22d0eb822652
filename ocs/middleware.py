import contextlib

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers


class NoStoreMiddleware:
    """Every page OCS renders may hold personal data: browsers and proxies must not keep it.

    Static files are served by WhiteNoise before this middleware and keep their long cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


class LanguageMiddleware:
    """Dutch unless the user chose another language (the language cookie set by the footer's
    language form). The browser's Accept-Language is deliberately ignored: a Dutch school's
    pages are Dutch, also on a laptop with an English browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class HtmxFullPageMiddleware:
    """An htmx request answered with a redirect (the session ended, the parent was blocked,
    the second factor is due) becomes a full-page navigation (HX-Redirect), so the login
    page never lands inside a card or a table row. A refused htmx request (403, 404)
    reloads the page, which then shows what the user may still see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False):
            return response
        if response.status_code in (301, 302, 303, 307, 308) and "Location" in response:
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(response["Location"])
        if response.status_code in (403, 404):
            from django_htmx.http import HttpResponseClientRefresh

            return HttpResponseClientRefresh()
        return response


class OneCommitMiddleware:
    """A state-changing request (POST, PUT, PATCH, DELETE) commits once: the change, its
    audit entry, its outgoing mail rows, its task rows (database queue) and the session are
    written in one transaction, or not at all when the answer is a server error.

    It sits before SessionMiddleware so the session is saved inside the same transaction.
    GET and HEAD change nothing and run in autocommit (no transaction round trips)."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in self.SAFE:
            return self.get_response(request)
        # Read and parse the body first: a slow upload (attachments, an import file) must not
        # hold the transaction open, and on SQLite the write lock with it. A body that does
        # not parse fails later, where the view or the CSRF check reads it, as before.
        with contextlib.suppress(OSError, MultiPartParserError, SuspiciousOperation):
            request.POST  # noqa: B018
        with transaction.atomic():
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response
