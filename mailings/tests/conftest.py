"""A real SMTP server on loopback (aiosmtpd) whose answers a test can change, and a way to
run queued tasks whatever the task backend (immediate in the normal run, RQ on Redis when
OCS_TEST_TASKS_BACKEND=django_tasks_rq.backend.RQBackend)."""

import asyncio
import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller


class SinkHandler:
    """Stores what arrives. `data_reply` answers DATA with e.g. "421 …" or "550 …";
    `refuse` refuses those RCPT addresses with 550; `delay` makes DATA hang."""

    def __init__(self):
        self.received = []
        self.data_reply: str | None = None
        self.refuse: set[str] = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower() in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.data_reply:
            return self.data_reply
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    def recipients(self) -> list[str]:
        return sorted(addr.lower() for rcpts, _m in self.received for addr in rcpts)


class SmtpServer:
    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.handler = SinkHandler()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """A running SMTP server; MAILERS points at it, with a short time-out."""
    server = SmtpServer()
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 2},
        }
    }
    yield server
    server.stop()


def _is_rq() -> bool:
    from django.conf import settings

    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq")


@pytest.fixture
def run_tasks():
    """Run what the task queue holds. Immediate backend: it already ran at enqueue. RQ: a
    burst worker in this process (SimpleWorker, so it shares the test's database
    connection and sees its uncommitted rows)."""
    if _is_rq():
        import django_rq

        # Redis database 15 belongs to the tests (ocs/test_settings.py): start empty,
        # scheduled jobs included.
        django_rq.get_connection("mail").flushdb()

    def run():
        if not _is_rq():
            return
        import django_rq
        from rq import SimpleWorker

        worker = django_rq.get_worker("mail", "default", worker_class=SimpleWorker)
        worker.work(burst=True, with_scheduler=False)

    return run


@pytest.fixture
def uses_rq():
    return _is_rq()
