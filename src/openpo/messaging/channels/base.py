"""What every channel sender offers."""

from datetime import datetime

from openpo.messaging.models import OutboxMessage


class ChannelError(Exception):
    """The channel did not take the message: retried later, unless `permanent`. `code` is the
    provider's own error code, when it gave one."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class SendFromPhone(Exception):
    """The channel may not send this message itself (WhatsApp's 24-hour rule and no approved
    template): it goes to the seller's phone queue instead, once."""


class Sender:
    def send(self, message: OutboxMessage, *, now: datetime | None = None) -> str:
        raise NotImplementedError
