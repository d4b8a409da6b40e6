"""PubMed: efetch for the references with a PMID and no DOI (those with a
DOI are watched through Crossref), a batch of PMIDs a request, within
NCBI's rate."""

from references.evidence.checks import FROM_FILE, Outcome, Request, library_pmids
from references.evidence.notices import pubmed_findings
from references.lookup.client import build_url, config, get
from references.lookup.pacing import Pacer
from references.lookup.pubmed import _ncbi_params

BATCH = 200


def check_pmids(request: Request) -> Outcome:
    """Which PMID-only references PubMed marks retracted, corrected or of
    concern (PublicationType, CommentsCorrections)."""
    # One reference asked for by name is checked by its PMID even with a DOI.
    library = library_pmids(request, without_doi=request.reference is None)
    outcome = Outcome()
    if request.from_file is not None:
        outcome.dataset = f"{FROM_FILE}{request.from_file.name}"
        answers = [pubmed_findings(request.from_file.read_bytes())]
        request.expect(len(answers[0]))
    else:
        outcome.dataset = f"{len(library)} PMID(s)"
        answers = _fetch(sorted(library), request)
    for found in answers:
        for pmid, findings in found.items():
            reference_id = library.get(pmid)
            if reference_id is None:
                continue
            outcome.checked.append(reference_id)
            outcome.matches += [(reference_id, finding) for finding in findings]
            if request.from_file is not None:
                request.advance()
    return outcome


def _fetch(pmids: list[str], request: Request):
    request.expect(len(pmids))
    paced = Pacer(float(config("NCBI_RATE")))
    for start in range(0, len(pmids), BATCH):
        batch = pmids[start : start + BATCH]
        url = build_url(
            config("EUTILS_URL"),
            "efetch.fcgi",
            _ncbi_params(db="pubmed", id=",".join(batch), retmode="xml"),
        )
        response = get(
            url, accept="application/xml", service="PubMed", cached=False, pacer=paced
        )
        yield pubmed_findings(response.body)
        request.advance(len(batch))
