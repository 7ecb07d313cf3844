"""What every channel sender offers."""

from openpo.messaging.models import OutboxMessage


class ChannelError(Exception):
    """The channel did not take the message: retried later, unless `permanent`."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender:
    def send(self, message: OutboxMessage) -> str:
        raise NotImplementedError
