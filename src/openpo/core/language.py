"""Which language a page speaks: Bahasa Indonesia unless the visitor chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, but many Indonesian phones
are set to English while their owners shop in Indonesian; a seller's PO page in English would
surprise them. So only an explicit choice (the language cookie set by the ID/EN switch,
`/i18n/setlang/`) changes the language.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.deprecation import MiddlewareMixin


def language_for(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return settings.LANGUAGE_CODE


class ShopLanguageMiddleware(MiddlewareMixin):
    def process_request(self, request: HttpRequest) -> None:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
