"""Talking to buyers: the WhatsApp queue, broadcasts, message logs and the message templates."""
