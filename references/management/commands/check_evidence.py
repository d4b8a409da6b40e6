"""Run an evidence watcher now, with a progress bar, and print what it found.

    manage.py check_evidence --source crossref          # notices since the last run
    manage.py check_evidence --source crossref-full --all
    manage.py check_evidence --reference wakefield1998 --source crossref-full
    manage.py check_evidence --from-file references/fixtures/evidence/...json
    manage.py check_evidence --due                      # queue what is due

Each run is recorded as an EvidenceCheck (visible on the reference's admin
page); findings are saved once, and the apps citing the references are told.
"""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from references.evidence.checks import CheckFailed, Request, last_success, run_check
from references.models import Reference

SOURCES = {
    "crossref": "crossref-incremental",
    "crossref-incremental": "crossref-incremental",
    "crossref-full": "crossref-full",
    "pubmed": "pubmed",
    "csv": "csv",
    "links": "links",
}
# How often each source is due (`--due`, from the hourly timer).
PERIODS = {
    "crossref-incremental": datetime.timedelta(days=1),
    "crossref-full": datetime.timedelta(days=1),  # a seventh of the DOIs a day
    "pubmed": datetime.timedelta(days=1),
    "csv": datetime.timedelta(days=1),
    "links": datetime.timedelta(days=30),
}
FILE_SOURCES = {".csv": "csv", ".xml": "pubmed", ".json": "crossref-incremental"}


class Command(BaseCommand):
    help = (
        "Check cited sources for retractions, corrections and concerns now "
        "(Crossref, PubMed, the Retraction Watch CSV) or their links, and "
        "record the check. --from-file reads a recorded answer instead of "
        "asking the service."
    )

    def add_arguments(self, parser):
        parser.add_argument("--source", choices=sorted(SOURCES))
        parser.add_argument(
            "--reference", metavar="KEY", help="Check only this citation key."
        )
        parser.add_argument(
            "--from-file",
            type=Path,
            metavar="PATH",
            help=(
                "A recorded answer: Crossref JSON (a work, a notice or a notices "
                "page), PubMed efetch XML, or the Retraction Watch CSV."
            ),
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="crossref-full: every cited DOI, not today's seventh.",
        )
        parser.add_argument(
            "--due",
            action="store_true",
            help="Queue, for the worker, each source whose check is due.",
        )

    def handle(self, *args, **options):
        if options["due"]:
            return self.queue_due()
        reference = self.reference(options["reference"])
        source = self.source(options["source"], options["from_file"], reference)
        if options["from_file"] is not None and not options["from_file"].is_file():
            raise CommandError(f"No such file: {options['from_file']}.")
        self.stderr.ending = ""  # tqdm writes its own line endings
        with tqdm(
            desc=source, unit="B" if source == "csv" else "", file=self.stderr
        ) as bar:

            def total(count: int) -> None:
                bar.total = count
                bar.refresh()

            request = Request(
                source,
                reference=reference,
                from_file=options["from_file"],
                whole=options["all"],
                progress=bar.update,
                total=total,
            )
            try:
                report = run_check(request)
            except CheckFailed as error:
                raise CommandError(
                    f"The {source} check failed and nothing was applied: {error}"
                ) from None
        self.print_report(report)

    def reference(self, key: str | None) -> Reference | None:
        if key is None:
            return None
        reference = Reference.objects.filter(citation_key=key).first()
        if reference is None:
            raise CommandError(f"No reference has the citation key {key!r}.")
        return reference

    def source(self, name, file: Path | None, reference) -> str:
        if name:
            return SOURCES[name]
        if file is not None and file.suffix.lower() in FILE_SOURCES:
            return FILE_SOURCES[file.suffix.lower()]
        if reference is not None:
            if reference.doi:
                return "crossref-full"
            if reference.pmid:
                return "pubmed"
            return "links"
        raise CommandError(
            "Say which watcher to run: --source crossref, crossref-full, pubmed, "
            "csv or links."
        )

    def print_report(self, report) -> None:
        check = report.check
        self.stdout.write(
            self.style.SUCCESS(
                f"{check.get_source_display()}: {check.checked} reference(s) "
                f"checked, {check.findings} new finding(s). ({check.dataset})"
            )
        )
        for note in filter(None, check.notes.splitlines()):
            self.stdout.write(f"  {note}")
        for finding in report.findings:
            when = finding.notice_date.isoformat() if finding.notice_date else "undated"
            self.stdout.write(
                f"  {finding.reference.citation_key}: "
                f"{finding.get_kind_display()} ({when}) {finding.link}"
            )
        for line in report.lines:
            self.stdout.write(line)
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))

    def queue_due(self) -> None:
        from references.tasks import EVIDENCE_TASKS

        now = timezone.now()
        for source, period in PERIODS.items():
            last = last_success(source)
            # A little slack, so a daily timer at a fixed hour never skips a day.
            if last is not None and now - last.started_at < period * 0.9:
                continue
            result = EVIDENCE_TASKS[source].enqueue()
            self.stdout.write(f"{source}: queued (task {result.id}).")
