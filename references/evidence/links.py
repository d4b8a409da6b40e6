"""Links that rot: the cited URLs of references without a DOI, checked
monthly (HEAD, then GET), at public addresses only. A broken link is
recorded on the reference, for editors; readers never see it."""

from references.evidence.checks import FROM_FILE, Outcome, Request
from references.lookup.client import config, probe
from references.lookup.pacing import Pacer
from references.models import Reference


def check_links(request: Request) -> Outcome:
    """Probe each cited URL; record what failed, and since when."""
    references = list(
        request.references()
        .filter(doi="")
        .exclude(url="")
        .only("pk", "url", "link_broken_since", "link_status")
        .order_by("pk")
    )
    outcome = Outcome(dataset=f"{len(references)} URL(s)", notice_source=False)
    if request.from_file is not None:
        outcome.dataset = f"{FROM_FILE}{request.from_file.name}"
        outcome.notes.append("Links are not read from a file; nothing checked.")
        return outcome
    request.expect(len(references))
    paced = Pacer(float(config("LINKS_RATE")))
    results = []
    for reference in references:
        results.append((reference, probe(reference.url, paced)))
        outcome.checked.append(reference.pk)
        request.advance()
    broken = [(reference, problem) for reference, problem in results if problem]
    outcome.count = len(broken)
    for reference, problem in broken:
        outcome.notes.append(f"{reference.url[:120]}: {problem}")

    def remember(now) -> None:
        for reference, problem in results:
            reference.link_checked_at = now
            reference.link_status = problem
            if not problem:
                reference.link_broken_since = None
            elif reference.link_broken_since is None:
                reference.link_broken_since = now
        Reference.objects.bulk_update(
            [reference for reference, _problem in results],
            ["link_checked_at", "link_status", "link_broken_since"],
            batch_size=1000,
        )

    outcome.apply = remember
    return outcome
