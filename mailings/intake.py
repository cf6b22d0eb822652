"""The bounce intake: an SMTP server (aiosmtpd) that accepts mail for this installation's
VERP addresses only and hands each report to bounces.bounce_receive.

The database work runs in one worker thread beside the event loop (Django's ORM is
synchronous), one message at a time: bounces are few, and the sending server simply waits.
A report that cannot be stored now (database down) is answered 451, so the sending server
tries again later; an unknown or forged address is refused with 550."""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.controller import Controller
from django.db import close_old_connections, connections

from mailings.bounces import bounce_receive
from mailings.verp import parse_verp

logger = logging.getLogger(__name__)

# A report may carry the whole original message, attachments included (10 MB at most).
MAX_REPORT_BYTES = 16 * 1024 * 1024


def _receive(recipient: str, raw: bytes) -> str:
    close_old_connections()
    try:
        return bounce_receive(recipient=recipient, raw=raw).outcome
    finally:
        close_old_connections()


class BounceHandler:
    def __init__(self):
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bounce-intake")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if parse_verp(address) is None:
            return "550 5.1.1 No such bounce address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        raw = envelope.original_content or envelope.content
        loop = asyncio.get_running_loop()
        outcomes = []
        try:
            for recipient in envelope.rcpt_tos:
                outcomes.append(
                    await loop.run_in_executor(self._executor, _receive, recipient, raw)
                )
        except Exception:  # noqa: BLE001 - the sender keeps the report and tries again
            logger.exception("bounce intake: storing a report failed")
            return "451 4.3.0 Try again later"
        logger.info("bounce intake: %s", ", ".join(outcomes))
        if outcomes and all(outcome == "unknown" for outcome in outcomes):
            return "550 5.1.1 No such message"
        return "250 OK"

    def close(self) -> None:
        # The worker thread's database connection goes with it.
        self._executor.submit(connections.close_all).result()
        self._executor.shutdown(wait=True)


def intake_controller(*, host: str, port: int) -> tuple[Controller, BounceHandler]:
    handler = BounceHandler()
    controller = Controller(handler, hostname=host, port=port, data_size_limit=MAX_REPORT_BYTES)
    return controller, handler
