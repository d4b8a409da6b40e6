"""Import references from BibTeX, RIS, CSL-JSON or PubMed MEDLINE, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from references.importers import FORMATS, ImportFormatError, parse
from references.library import apply_import, plan_import


class Command(BaseCommand):
    help = (
        "Import references from a BibTeX, RIS, CSL-JSON or PubMed MEDLINE (.nbib) "
        "file. A malformed record stops the import and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--format",
            choices=[value for value, _ in FORMATS],
            help="Detected from the content when left out.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be imported and change nothing.",
        )

    def handle(self, *args, file: Path, format=None, dry_run=False, **options):
        self.stderr.ending = ""  # tqdm writes its own line endings
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except UnicodeDecodeError as error:
            line = file.read_bytes()[: error.start].count(b"\n") + 1
            raise CommandError(
                f"{file} is not UTF-8 text (line {line}); save it as UTF-8."
            ) from None
        try:
            records = parse(text, format)
            plan = plan_import(records)
        except ImportFormatError as error:
            raise CommandError(f"{file}: {error} Nothing was imported.") from None
        for record, existing, why in plan.duplicates:
            self.stdout.write(
                f"  skipped (same {why} as {existing.citation_key}): "
                f"{record.title[:70]}"
            )
        if dry_run:
            self.stdout.write(
                f"Dry run: {len(plan.new)} new, {len(plan.duplicates)} duplicate(s); "
                "nothing imported."
            )
            return
        with tqdm(
            total=len(plan.new),
            unit="ref",
            desc="Importing",
            file=self.stderr,
            disable=not plan.new,
        ) as bar:
            created = apply_import(plan, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(created)} reference(s) from {len(records)} record(s); "
                f"{len(plan.duplicates)} duplicate(s) skipped."
            )
        )
