"""Who may still try a password: the log-in lockout, for every log-in form (the site's and the
admin's) because it sits in the authentication backend, under every form's `authenticate()`.

Two counts, each an attempt *reserved before* the password is checked (so forty requests sent
at the same instant get five passwords checked, not sixteen):
- per username and client address: `LOGIN_FAILURES_PER_USER` wrong passwords, then that
  username is locked from that address for `LOGIN_LOCKOUT_SECONDS` (other addresses, the owner
  on their own phone say, are not locked out by an attacker);
- per client address across usernames: `LOGIN_FAILURES_PER_ADDRESS`, so one address cannot try
  five passwords on each of a thousand usernames.
A right password gives its reservation back and clears the username's count.

The username is counted as Django reads it: the log-in form normalises it with NFKC (so
`ｍallory` and `𝐦allory` are `mallory`), and we also fold case, so no spelling of one account
has a count of its own.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from openpo.core.client_ip import client_ip
from openpo.core.ratelimit import give_back, rate_limit_key, take

USER_SCOPE = "login-user"
ADDRESS_SCOPE = "login-address"

LOCKED_USER_MESSAGE = _(
    "Too many wrong passwords. Wait %(minutes)s minutes, or reset your password."
)
LOCKED_ADDRESS_MESSAGE = _(
    "Too many log-in attempts from your network. Wait %(minutes)s minutes and try again."
)


def account_key(username: str) -> str:
    """One key for every spelling of a username that logs in to the same account."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def lockout_seconds() -> int:
    return settings.LOGIN_LOCKOUT_SECONDS


class LockedOut(PermissionDenied):
    """Raised by the backend instead of checking a password; `authenticate()` then stops."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class LockoutBackend(ModelBackend):
    """Django's model backend, refusing to check a password once the counts are used up."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        address = rate_limit_key(client_ip(request)) if request is not None else "no-request"
        user_key = f"{account_key(username)}|{address}"
        timeout = lockout_seconds()
        if not take(
            ADDRESS_SCOPE, address, limit=settings.LOGIN_FAILURES_PER_ADDRESS, timeout=timeout
        ):
            self._refuse(request, LOCKED_ADDRESS_MESSAGE)
        if not take(USER_SCOPE, user_key, limit=settings.LOGIN_FAILURES_PER_USER, timeout=timeout):
            give_back(ADDRESS_SCOPE, address, timeout=timeout)  # this one was not tried
            self._refuse(request, LOCKED_USER_MESSAGE)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            give_back(ADDRESS_SCOPE, address, timeout=timeout)
            give_back(USER_SCOPE, user_key, timeout=timeout, forget=True)
        return user

    @staticmethod
    def _refuse(request: HttpRequest | None, message) -> None:
        minutes = max(1, lockout_seconds() // 60)
        text = message % {"minutes": minutes}
        if request is not None:
            request.login_locked_out = text
        raise LockedOut(text)


def locked_out_message(request: HttpRequest) -> str | None:
    """The lockout message when this request's log-in was refused unchecked, else None."""
    return getattr(request, "login_locked_out", None)
