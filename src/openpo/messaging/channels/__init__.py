"""The ways a message leaves OpenPO. Each sender's `send(message, now=...)` returns the
provider's id, or raises `ChannelError` (temporary unless `permanent`) or `SendFromPhone` (the
message is the seller's to send from their own phone)."""

from openpo.messaging.channels.base import ChannelError, Sender, SendFromPhone
from openpo.messaging.channels.email import EmailSender
from openpo.messaging.channels.whatsapp_cloud import WhatsAppCloudSender
from openpo.messaging.models import Channel, OutboxMessage

SENDERS: dict[str, type[Sender]] = {
    Channel.EMAIL: EmailSender,
    Channel.WHATSAPP: WhatsAppCloudSender,
}


def sender_for(message: OutboxMessage) -> Sender:
    try:
        return SENDERS[message.channel]()
    except KeyError:
        raise ChannelError(f"no sender for channel {message.channel}", permanent=True) from None


__all__ = ["SENDERS", "ChannelError", "SendFromPhone", "Sender", "sender_for"]
