import time
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand


class _Store:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.count += 1
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class Command(BaseCommand):
    help = "Demo only: a local SMTP server that stores every message it receives as a file."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=1025)

    def handle(self, *args, port: int, **options):
        folder = Path(settings.OCS_MAILSINK_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        controller = Controller(_Store(folder), hostname="127.0.0.1", port=port)
        controller.start()
        self.stdout.write(f"Mail sink on 127.0.0.1:{port}, storing in {folder}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
