"""Remove body images no text uses, once they are old enough (for cron)."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from tqdm import tqdm

from articles.uploads import GRACE, prune_uploads, stored_uploads

MAX_DAYS = 36_500


class Command(BaseCommand):
    help = (
        "Remove editor uploads (and their smaller copies) that no article, "
        "revision, bio or topic names and that are older than --days."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=GRACE.days,
            help="Keep unused uploads younger than this many days (default 30).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be removed and remove nothing.",
        )

    def handle(self, *args, days=GRACE.days, dry_run=False, **options):
        if days < 1:
            raise CommandError(
                "--days must be at least 1: a newer upload may be in a text "
                "that is still being written."
            )
        if days > MAX_DAYS:
            raise CommandError(f"--days can be at most {MAX_DAYS} (100 years).")
        uploads = stored_uploads()
        total = len(uploads)
        with tqdm(
            total=total,
            unit="image",
            desc="Checking uploads",
            file=self.stderr,
            disable=not total,
        ) as bar:
            result = prune_uploads(
                datetime.timedelta(days=days),
                dry_run=dry_run,
                progress=bar.update,
                uploads=uploads,
            )
        if options["verbosity"] > 1 or dry_run:
            for name in result.removed:
                self.stdout.write(f"  {name}")
        verb = "Would remove" if dry_run else "Removed"
        self.stdout.write(
            f"{verb} {counted(result.images, 'unused image')} "
            f"({counted(result.files, 'file')}, {filesizeformat(result.bytes)}); "
            f"{result.in_use} in use; {counted(result.kept_recent, 'unused image')} "
            f"newer than {counted(days, 'day')} kept."
        )


def counted(number: int, noun: str) -> str:
    """“1 file”, “2 files”."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
