import os
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mailings.bounces import bounce_receive
from mailings.intake import intake_controller

# sysexits.h: what a mail server's pipe delivery understands.
EX_NOUSER = 67
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = (
        "Take in bounce reports for the VERP return paths of OCS_BOUNCE_DOMAIN: as an SMTP "
        "server (point that domain's MX or a relay at it), or one report on standard input "
        "(--stdin, for a mail server's alias pipe)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=2526)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--stdin",
            action="store_true",
            help="read one report from standard input instead of serving SMTP",
        )
        parser.add_argument(
            "--recipient",
            default="",
            help="with --stdin: the return path it was sent to (default: $RECIPIENT, as "
            "Postfix's local delivery sets it)",
        )

    def handle(self, *args, port: int, host: str, stdin: bool, recipient: str, **options):
        if not settings.OCS_BOUNCE_DOMAIN:
            raise CommandError("OCS_BOUNCE_DOMAIN is not set: outgoing mail has no return path.")
        if stdin:
            self._one(recipient or os.environ.get("RECIPIENT", ""))
            return
        controller, handler = intake_controller(host=host, port=port)
        controller.start()
        self.stdout.write(
            f"Bounce intake on {host}:{port} for bounces+…@{settings.OCS_BOUNCE_DOMAIN}"
        )
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
            handler.close()

    def _one(self, recipient: str) -> None:
        raw = sys.stdin.buffer.read()
        try:
            outcome = bounce_receive(recipient=recipient, raw=raw).outcome
        except Exception as exc:  # the mail server keeps the report and tries again
            self.stderr.write(f"storing the report failed: {exc}")
            sys.exit(EX_TEMPFAIL)
        self.stdout.write(outcome)
        if outcome == "unknown":
            sys.exit(EX_NOUSER)
