from django.core.management.base import BaseCommand

from privacy.services import retention_run


class Command(BaseCommand):
    help = (
        "Remove pupils and parents who left longer ago than OCS_RETENTION_LEFT_DAYS, mail "
        "bodies and attachments older than OCS_RETENTION_MAIL_DAYS and audit rows older than "
        "OCS_RETENTION_AUDIT_DAYS. Run it daily (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count")

    def handle(self, *args, dry_run: bool, **options):
        report = retention_run(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for key, count in report.items():
            self.stdout.write(f"{verb} {count} {key}")
