"""Watching cited sources for retractions, corrections and concerns.

Each watcher asks one source which of the library's references have a new
notice, and returns what it found as plain `Finding`s (notices.py); `checks.py`
records the run as an EvidenceCheck, saves the findings all or nothing, and
tells the apps citing the references (`notices_changed`, `evidence_found`).

- crossref.py: notices indexed since the last run (nightly), and every cited
  DOI's `updated-by`, a slice of the library a day (weekly);
- pubmed.py: efetch for references with a PMID and no DOI;
- retraction_watch.py: the Retraction Watch CSV, a diff by Record ID (daily);
- links.py: the cited URLs of references without a DOI (monthly).
"""
