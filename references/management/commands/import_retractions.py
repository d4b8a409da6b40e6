"""Record retractions, corrections and concerns from the Retraction Watch CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from articles.models import Article
from articles.signals import propagate_reference_change
from references.models import Reference
from references.retractions import RetractionIndex, iter_notices


class Command(BaseCommand):
    help = (
        "Match references against the Retraction Watch CSV (by DOI, then PMID) "
        "and record retractions. Only RetractionNature 'Retraction' blocks."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        self.stderr.ending = ""  # tqdm writes its own line endings
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

        now = timezone.now()
        changed, blocking = [], []
        references = Reference.objects.exclude(doi="", pmid="").iterator(
            chunk_size=2000
        )
        for reference in tqdm(
            references, desc="Matching", unit="ref", file=self.stderr
        ):
            notice = index.lookup(doi=reference.doi, pmid=reference.pmid)
            if notice is None:
                continue
            if (
                reference.retraction_status == notice.nature
                and reference.retraction_notice_doi == notice.notice_doi
            ):
                continue
            reference.retraction_status = notice.nature
            reference.retraction_notice_doi = notice.notice_doi
            reference.retraction_date = notice.date
            reference.retraction_reason = notice.reason
            reference.retraction_checked_at = now
            changed.append(reference)
            if notice.nature == Reference.Retraction.RETRACTED:
                blocking.append(reference)

        with transaction.atomic():
            Reference.objects.bulk_update(
                changed,
                [
                    "retraction_status",
                    "retraction_notice_doi",
                    "retraction_date",
                    "retraction_reason",
                    "retraction_checked_at",
                ],
                batch_size=1000,
            )
            Reference.objects.exclude(doi="", pmid="").update(retraction_checked_at=now)
            # Drafts and pending approvals pick up the notice (and need review);
            # live pages keep their frozen copy until then.
            propagate_reference_change([r.pk for r in changed])

        self.stdout.write(
            self.style.SUCCESS(
                f"{rows} notice rows read; {len(changed)} reference(s) updated, "
                f"{len(blocking)} newly retracted."
            )
        )
        urgent = (
            Article.objects.live()
            .filter(live_revision__cited_references__in=blocking)
            .distinct()
        )
        for article in urgent:
            self.stdout.write(
                self.style.WARNING(
                    f"URGENT REVIEW: “{article.title}” is live and cites a "
                    "retracted source."
                )
            )
