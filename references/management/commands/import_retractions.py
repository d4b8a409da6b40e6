"""Record retractions, corrections and concerns from the Retraction Watch CSV,
then tell the apps citing the references concerned (`notices_changed`), which
re-check their texts."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from references.library import record_retractions
from references.models import Reference
from references.retractions import RetractionIndex, iter_notices
from references.signals import notices_changed


class Command(BaseCommand):
    help = (
        "Match references against the Retraction Watch CSV (by DOI, then PMID) "
        "and record retractions. Only RetractionNature 'Retraction' blocks. "
        "Without a file, re-check the articles citing every reference with a "
        "notice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument(
            "--in-background",
            action="store_true",
            help=(
                "Queue the re-check of citing articles, across the library, as a "
                "task for the worker instead of running it here."
            ),
        )

    def handle(self, *args, file: Path | None = None, in_background=False, **options):
        self.stderr.ending = ""  # tqdm writes its own line endings
        if file is not None:
            changed, retracted = self.import_file(file)
            ids = [reference.pk for reference in changed]
            retracted_ids = [reference.pk for reference in retracted]
        else:
            ids = list(
                Reference.objects.exclude(retraction_status="")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            retracted_ids = None
        # Drafts and pending approvals pick up the notice (and need review);
        # live pages keep their frozen copy until then.
        with tqdm(
            total=len(ids),
            unit="ref",
            desc="Re-checking",
            file=self.stderr,
            disable=in_background or not ids,
        ) as bar:
            answers = notices_changed.send(
                sender=Reference,
                reference_ids=ids,
                retracted_ids=retracted_ids,
                progress=bar.update,
                in_background=in_background,
            )
        for _receiver, report in answers:
            for line in report.lines:
                self.stdout.write(line)
            for warning in report.warnings:
                self.stdout.write(self.style.WARNING(warning))

    def import_file(self, file: Path) -> tuple[list, list]:
        index = RetractionIndex()
        try:
            size = file.stat().st_size
            with (
                file.open("rb") as stream,
                tqdm(
                    total=size,
                    unit="B",
                    unit_scale=True,
                    desc="Reading",
                    file=self.stderr,
                ) as bar,
            ):
                rows = 0
                for notice in iter_notices(stream):
                    index.add(notice)
                    rows += 1
                    if rows % 500 == 0:
                        bar.update(stream.tell() - bar.n)
                bar.update(size - bar.n)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except ValueError as error:
            raise CommandError(f"{file}: {error}") from None

        with tqdm(desc="Matching", unit="ref", file=self.stderr) as bar:
            changed, retracted = record_retractions(index, progress=bar.update)
        self.stdout.write(
            self.style.SUCCESS(
                f"{rows} notice rows read; {len(changed)} reference(s) updated, "
                f"{len(retracted)} newly retracted."
            )
        )
        return changed, retracted
