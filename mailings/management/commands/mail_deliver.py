from django.core.management.base import BaseCommand

from mailings.delivery import outbox_deliver, outbox_next_due
from mailings.drafts import scheduled_send_due


class Command(BaseCommand):
    help = (
        "Send planned mailings whose time has come and every due message in the outbox "
        "(also recovers messages of crashed workers)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max", type=int, default=100_000, help="at most this many messages")

    def handle(self, *args, max: int, **options):
        planned = scheduled_send_due()  # planned mailings whose time has come, first
        report = outbox_deliver(max_messages=max)
        next_due = outbox_next_due()
        self.stdout.write(
            f"planned mailings sent {planned}; "
            f"sent {report.sent}, failed {report.failed}, retry later {report.retry}"
            + (f"; next due {next_due:%Y-%m-%d %H:%M:%S}" if next_due else "")
        )
