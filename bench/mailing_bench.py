"""Mailing benchmark: 600 recipients with a 2 MB attachment to a local SMTP sink.

Run by hand:  .venv/bin/python bench/mailing_bench.py [--recipients 600] [--size-mb 2.0]

Prints the time for the send (the service call the request makes) to return, the messages per
second the outbox worker delivers, the worker's peak Python memory (tracemalloc, on a second
pass over the first 100 messages) and its RSS, and the ratio to a ceiling measured in the same
run: the same messages built with the standard library and sent with plain smtplib over one
connection. Uses a throw-away SQLite test database; all traffic stays on 127.0.0.1.
"""

import logging
import multiprocessing as mp
import os
import resource
import smtplib
import sys
import time
import tracemalloc
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocs.test_settings")
os.environ["DATABASE_URL"] = "sqlite://"  # in memory, this process only
# The request only enqueues; the worker below does the sending.
os.environ["OCS_TEST_TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"

import django  # noqa: E402

django.setup()

from aiosmtpd.controller import Controller  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from bench.common import free_port, parse_args, report  # noqa: E402


class CountingSink:
    """Accepts everything, keeps only counts (so the sink's memory stays flat)."""

    def __init__(self, messages, size):
        self.messages = messages
        self.bytes = size

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.messages.get_lock():
            self.messages.value += len(envelope.rcpt_tos)
            self.bytes.value += len(envelope.original_content or b"")
        return "250 OK"


def run_sink(port, messages, size, ready, stop) -> None:
    """The SMTP sink in its own process, so it does not share the worker's GIL."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(
        CountingSink(messages, size), hostname="127.0.0.1", port=port, data_size_limit=64 * 2**20
    )
    controller.start()
    ready.set()
    stop.wait(timeout=1800)
    controller.stop()


def make_school(recipients: int):
    from accounts.models import User
    from schools.models import Group, Guardianship, Parent, Pupil, School, StaffMember

    school = School.objects.create(name="De Regenboog", slug="bench", from_email="info@bench.test")
    group = Group.objects.create(school=school, name="Hele school")
    pupils = Pupil.objects.bulk_create(
        Pupil(school=school, number=str(i), first_name=f"Kind{i}", last_name="Bench", group=group)
        for i in range(recipients)
    )
    parents = Parent.objects.bulk_create(
        Parent(school=school, email=f"ouder{i}@bench.test", first_name=f"Ouder{i}", last_name="B")
        for i in range(recipients)
    )
    Guardianship.objects.bulk_create(
        Guardianship(parent=p, pupil=k) for p, k in zip(parents, pupils, strict=True)
    )
    user = User.objects.create_user("juf@bench.test", "bench-password-123")
    staff = StaffMember.objects.create(
        school=school,
        user=user,
        email=user.email,
        first_name="Juf",
        last_name="Bench",
        role="directie",
    )
    return staff, group


def attachment_bytes(size: int) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size - 9)


def plain_smtplib(port: int, recipients: int, data: bytes, body: str) -> float:
    """The ceiling: stdlib messages, one smtplib connection, no database."""
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        for i in range(recipients):
            message = EmailMessage()
            message["From"] = "De Regenboog via OCS <info@bench.test>"
            message["To"] = f"ouder{i}@bench.test"
            message["Reply-To"] = "Juf Bench <juf@bench.test>"
            message["Subject"] = "Schoolreis – informatie"
            message.set_content(body)
            message.add_alternative(f"<p>{body}</p>", subtype="html")
            message.add_attachment(
                data, maintype="application", subtype="pdf", filename="schoolreis.pdf"
            )
            client.send_message(message)
    return time.perf_counter() - started


def main() -> None:
    args = parse_args(__doc__, None, recipients=600, size_mb=2.0)
    recipients = max(1, min(args.recipients, 5000))
    size = int(args.size_mb * 1024 * 1024)

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    port = free_port()
    received, received_bytes = mp.Value("q", 0), mp.Value("q", 0)
    ready, stop = mp.Event(), mp.Event()
    sink = mp.Process(target=run_sink, args=(port, received, received_bytes, ready, stop))
    sink.start()
    if not ready.wait(timeout=30):
        raise SystemExit("the SMTP sink did not start")
    setup_test_environment()  # (it switches mail to locmem: point it at the sink after it)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 30},
        }
    }
    connection.creation.create_test_db(verbosity=0)
    try:
        from django.db import transaction

        from mailings.delivery import outbox_deliver
        from mailings.models import OutgoingMessage
        from mailings.services import mailing_send

        staff, group = make_school(recipients)
        data = attachment_bytes(size)
        body = "Beste ouders,\n\nIn de bijlage vindt u alles over de schoolreis.\n\nJuf Bench"

        started = time.perf_counter()
        with transaction.atomic():
            mailing = mailing_send(
                staff=staff,
                groups=[group],
                special_groups=[],
                parent_ids=None,
                subject="Schoolreis – informatie",
                body=body,
                files=[SimpleUploadedFile("schoolreis.pdf", data, "application/pdf")],
            )
        send_seconds = time.perf_counter() - started
        total = mailing.messages.count()

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        delivered = outbox_deliver(max_messages=total)
        deliver_seconds = time.perf_counter() - started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        unsent = total - delivered.sent
        assert unsent == 0, delivered
        assert received.value == total, received.value

        # Peak Python memory of the worker: a second pass over 100 messages with tracemalloc
        # (it slows Python down, so it is not part of the timed run).
        again = list(mailing.messages.values_list("pk", flat=True)[:100])
        OutgoingMessage.objects.filter(pk__in=again).update(status="queued", claim_token=None)
        tracemalloc.start()
        outbox_deliver(max_messages=len(again))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        ceiling_seconds = plain_smtplib(port, total, data, body)
    finally:
        connection.creation.destroy_test_db(":memory:", verbosity=0)
        stop.set()
        sink.join(timeout=30)

    ours = total / deliver_seconds
    ceiling = total / ceiling_seconds
    print(
        f"recipients: {recipients} (+ sender's copy = {total} messages),"
        f" attachment {size / 2**20:.1f} MB"
    )
    print(f"send (service call the request makes) returned in {send_seconds * 1000:.0f} ms")
    print(f"outbox worker: {total} messages in {deliver_seconds:.1f} s = {ours:.1f} msg/s")
    print(f"plain smtplib, one connection: {ceiling_seconds:.1f} s = {ceiling:.1f} msg/s")
    print(f"ratio outbox / plain smtplib: {ours / ceiling:.2f}")
    print(f"worker peak Python memory (tracemalloc, 100 messages): {peak / 2**20:.1f} MB")
    print(
        f"process max RSS: {rss_before / 1024:.0f} MB before delivery,"
        f" {rss_after / 1024:.0f} MB after"
    )
    print(f"sink received {received_bytes.value / 2**30:.2f} GB in total")
    report({"outbox_vs_plain_smtplib": ours / ceiling}, unsent)


if __name__ == "__main__":
    main()
