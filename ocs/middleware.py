from django.conf import settings
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
