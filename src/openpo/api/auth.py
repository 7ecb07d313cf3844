"""The seller endpoints' check: `Authorization: Bearer opo_…`, a personal API token."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from openpo.catalog.models import ApiToken
from openpo.catalog.services.api_tokens import authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer opo_…`: the request's `auth` is the token (and so its shop)."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        return authenticate(token)
