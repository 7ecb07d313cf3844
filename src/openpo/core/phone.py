"""Phone numbers: normalise what buyers type (0812…, 62812…, +62 812-…) to E.164."""

import phonenumbers
from django.utils.translation import gettext_lazy as _

DEFAULT_REGION = "ID"


class InvalidPhoneNumber(ValueError):
    message = _("Enter a valid WhatsApp number, for example 0812 3456 7890.")


def normalize_phone(raw: str, *, region: str = DEFAULT_REGION) -> str:
    """Return the number in E.164 (`+628123456789`), or raise `InvalidPhoneNumber`."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber(str(InvalidPhoneNumber.message))
    # Indonesians often write the country code without a plus: 62812...
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("62") and len(digits) >= 10:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(str(InvalidPhoneNumber.message)) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(str(InvalidPhoneNumber.message))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_local(e164: str) -> str:
    """Show a stored number the way a local reader writes it (`0812-3456-7890` style)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
