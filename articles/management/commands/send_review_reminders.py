"""Email the daily digest of reviews overdue or due within 30 days (for cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles.models import Article
from articles.notifications import digest


class Command(BaseCommand):
    help = "Send reviewers and editors the digest of reviews due or overdue."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args, days=30, **options):
        today = timezone.localdate()
        overdue = list(
            Article.objects.review_overdue(today).order_by("next_review_due")
        )
        due = list(
            Article.objects.review_due_within(days, today).order_by("next_review_due")
        )
        recipients = digest(overdue, due, days)
        self.stdout.write(
            f"{len(overdue)} overdue, {len(due)} due within {days} days; "
            f"sent to {len(recipients)} recipient(s)."
        )
