"""Email over SMTP (standard library ``smtplib`` and ``email``)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from alerts.config import ChannelConfig
from alerts.messages import Message
from alerts.notify.base import DeliveryError


def build_email(channel: ChannelConfig, message: Message) -> EmailMessage:
    """The email for a message: subject = title, plain UTF-8 body."""
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = channel.sender or ""
    mail["To"] = ", ".join(channel.to)
    mail["Date"] = formatdate(localtime=False, usegmt=True)
    mail["Message-ID"] = make_msgid(domain="wagate.local")
    mail.set_content(message.text, charset="utf-8")
    return mail


def send_email(channel: ChannelConfig, message: Message, password: str | None, timeout: float) -> None:
    """Send over SMTP; raise :class:`DeliveryError` (retryable for connection and 4xx problems)."""
    mail = build_email(channel, message)
    host, port = channel.smtp_host or "", channel.smtp_port
    try:
        if channel.smtp_security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            if channel.smtp_security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if channel.username:
                server.login(channel.username, password or "")
            server.send_message(mail)
    except smtplib.SMTPResponseException as exc:
        detail = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        raise DeliveryError(f"SMTP {exc.smtp_code}: {detail}", retryable=400 <= exc.smtp_code < 500) from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(
            f"SMTP recipients refused: {', '.join(exc.recipients)}", retryable=False
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {type(exc).__name__}: {exc}", retryable=True) from None
