"""An iCalendar file (RFC 5545) that makes a buyer's phone ring when a war PO opens."""

from datetime import UTC, datetime, timedelta

from django.conf import settings

from openpo.catalog.models import Campaign


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return "\r\n".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_for(campaign: Campaign, *, url: str, alarm_before: timedelta) -> str:
    host = settings.SITE_URL.split("://")[-1].split("/")[0] or "openpo"
    minutes = int(alarm_before.total_seconds() // 60)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//OpenPO//Open PO//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:campaign-{campaign.pk}@{host}",
        f"DTSTAMP:{_utc(datetime.now(UTC))}",
        f"DTSTART:{_utc(campaign.opens_at)}",
        f"DTEND:{_utc(campaign.opens_at + timedelta(minutes=30))}",
        f"SUMMARY:{_escape(f'Open PO: {campaign.title} — {campaign.shop.name}')}",
        f"DESCRIPTION:{_escape(url)}",
        f"URL:{url}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_escape(campaign.title)}",
        f"TRIGGER:-PT{minutes}M",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
