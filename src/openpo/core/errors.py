"""The base of every domain error: a stable code, a translatable message and an HTTP status.

Services raise these; each adapter (form, API, command) maps them in its own way, so the
messages live here and in each app's `errors.py`, never scattered in views.
"""

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the domain refused the request; `message` is shown to the person who asked."""

    code: str = "domain_error"
    http_status: int = 400
    default_message: str | Promise = "The request was refused."
    # True for a refusal that every order of the PO would get (sold out, closed).
    whole_po: bool = False

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        field_errors: dict[str, list[str | Promise]] | None = None,
        **params: object,
    ) -> None:
        self.params = params
        self.field_errors = field_errors or {}
        self._message = message if message is not None else self.default_message
        super().__init__(str(self.message))

    @property
    def message(self) -> str:
        """The message in the active language, with its parameters filled in."""
        text = str(self._message)
        return text % self.params if self.params else text

    def as_dict(self) -> dict[str, object]:
        """The API's one error shape: `{"code", "message", "errors"}` (errors null or per field)."""
        errors = {name: [str(m) for m in msgs] for name, msgs in self.field_errors.items()}
        return {"code": self.code, "message": self.message, "errors": errors or None}
