"""A loopback SMTP server that keeps each message's envelope and exact bytes, and delivery
status notifications as mail servers write them (RFC 3464)."""

import socket
import threading

import pytest
from aiosmtpd.controller import Controller


class RawHandler:
    def __init__(self):
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.received.append(
                (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted"

    def to(self, address: str) -> list[tuple[str, bytes]]:
        """(envelope sender, bytes) of each message that went to `address`."""
        return [(sender, raw) for sender, rcpts, raw in self.received if address in rcpts]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def outgoing(settings):
    """The smarthost OCS sends to: keeps envelope sender and bytes."""
    handler = RawHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    yield handler
    controller.stop()


def dsn(
    *,
    recipient: str,
    status: str = "5.1.1",
    action: str = "failed",
    diagnostic: str = "smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown",
    original_headers: str = "Subject: Schoolreis\r\nFrom: De Linde via OCS <info@linde.test>\r\n",
) -> bytes:
    """A delivery status notification as Postfix writes one (multipart/report)."""
    boundary = "B1A2C3.1764525600/mx.example.nl"
    lines = [
        "Return-Path: <>",
        "From: MAILER-DAEMON@mx.example.nl (Mail Delivery System)",
        "Subject: Undelivered Mail Returned to Sender",
        "To: bounces@ocs.test",
        "Date: Mon, 30 Nov 2026 19:00:00 +0100 (CET)",
        "MIME-Version: 1.0",
        "Auto-Submitted: auto-replied",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
        "",
        "This is a MIME-encapsulated message.",
        "",
        f"--{boundary}",
        "Content-Description: Notification",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "This is the mail system at host mx.example.nl.",
        "",
        "I'm sorry to have to inform you that your message could not",
        "be delivered to one or more recipients.",
        "",
        f"<{recipient}>: host mx.example.nl said: 550 5.1.1 User unknown",
        "",
        f"--{boundary}",
        "Content-Description: Delivery report",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example.nl",
        "X-Postfix-Queue-ID: 4dL5pQ1zN2z9sWr",
        "Arrival-Date: Mon, 30 Nov 2026 18:59:58 +0100 (CET)",
        "",
        f"Final-Recipient: rfc822; {recipient}",
        f"Original-Recipient: rfc822;{recipient}",
        f"Action: {action}",
        f"Status: {status}",
        "Remote-MTA: dns; mx.example.nl",
        f"Diagnostic-Code: {diagnostic.format(rcpt=recipient)}",
        "",
        f"--{boundary}",
        "Content-Description: Undelivered Message Headers",
        "Content-Type: text/rfc822-headers",
        "",
        original_headers.rstrip("\r\n"),
        f"To: {recipient}",
        "",
        f"--{boundary}--",
        "",
    ]
    return "\r\n".join(lines).encode("ascii")
