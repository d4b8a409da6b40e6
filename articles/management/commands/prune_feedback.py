"""Delete readers' reports and usefulness counts past their retention
period (HEALTH_FEEDBACK["RETENTION_DAYS"], 18 months by default; for cron)."""

from django.core.management.base import BaseCommand

from articles import reader_reports


class Command(BaseCommand):
    help = (
        "Delete reader reports and daily usefulness counts older than the "
        "retention period (HEALTH_FEEDBACK['RETENTION_DAYS'], default 548 days)."
    )

    def handle(self, *args, **options):
        deleted = reader_reports.prune()
        days = reader_reports.setting("RETENTION_DAYS")
        self.stdout.write(
            f"Deleted {deleted['reports']} reader report(s) and "
            f"{deleted['counts']} daily count(s) older than {days} days."
        )
