"""Checks run on submit and on publish, and shown in the admin as a checklist."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from articles.evidence_policy import (
    BLOCK,
    blocked_phrase,
    kinds_with,
    most_serious,
)
from articles.rendering import render
from references.models import EvidenceFinding

SEO_TITLE_MAX = 60
META_DESCRIPTION_RANGE = (120, 160)
OLD_SOURCE_YEARS = 10


@dataclass(frozen=True)
class Check:
    code: str
    message: str
    blocking: bool
    passed: bool = False


def blocking_findings(reference_ids: list[int]) -> dict[int, str]:
    """Reference id → the most serious finding about it whose kind blocks
    citing it (HEALTH_EVIDENCE_ACTIONS), for these references."""
    kinds = kinds_with(BLOCK)
    if not reference_ids or not kinds:
        return {}
    found: dict[int, list[str]] = {}
    for reference_id, kind in EvidenceFinding.objects.filter(
        reference_id__in=reference_ids, kind__in=kinds
    ).values_list("reference_id", "kind"):
        found.setdefault(reference_id, []).append(kind)
    return {pk: most_serious(kinds) for pk, kinds in found.items()}


def _problem(code: str, message: str, blocking: bool) -> Check:
    return Check(code=code, message=message, blocking=blocking)


def run_checks(article, revision) -> list[Check]:
    """Return the failed checks for `revision` of `article`, blocking first.

    `revision` is anything with the Revision content attributes plus `cited`
    (frozen references) and the render results `unresolved`, `citation_count`
    and `images_without_alt`; `Revision` instances are re-rendered for those.
    """
    rendered = render(revision.body)
    problems: list[Check] = []
    for key in rendered.unresolved:
        problems.append(
            _problem(
                "unresolved_citation",
                _(
                    "Citation @%(key)s at line %(line)s, column %(column)s "
                    "matches no reference."
                )
                % {
                    "key": key.value,
                    "line": key.position.line,
                    "column": key.position.column,
                },
                True,
            )
        )
    if rendered.citation_count == 0:
        problems.append(
            _problem(
                "no_citation",
                _("The article cites no source; cite one with [@key]."),
                True,
            )
        )
    blocking = blocking_findings([r["id"] for r in rendered.references])
    for reference in rendered.references:
        kind = blocking.get(reference["id"])
        if kind is None and reference["retraction_status"] in kinds_with(BLOCK):
            kind = reference["retraction_status"]
        if kind is not None:
            problems.append(
                _problem(
                    "retracted",
                    _(
                        "Reference %(number)s (%(key)s) has been %(what)s: cite "
                        "another source while the notice stands."
                    )
                    % {
                        "number": reference["number"],
                        "key": reference["key"],
                        "what": blocked_phrase(kind),
                    },
                    True,
                )
            )
        elif reference["retraction_status"]:
            problems.append(
                _problem(
                    "notice",
                    _("Reference %(number)s (%(key)s) has a %(notice)s notice.")
                    % {
                        "number": reference["number"],
                        "key": reference["key"],
                        "notice": reference["retraction_status"].replace("_", " "),
                    },
                    False,
                )
            )
    if not revision.topic_list:
        problems.append(
            _problem(
                "topic",
                _(
                    "The article has no topic: choose at least one, so that "
                    "readers find it in the topic's list and its breadcrumb."
                ),
                True,
            )
        )
    if not revision.summary.strip():
        problems.append(_problem("summary", _("The summary is empty."), True))
    if not revision.meta_description.strip():
        problems.append(
            _problem("meta_description", _("The meta description is empty."), True)
        )
    for src in rendered.images_without_alt:
        problems.append(
            _problem(
                "image_alt",
                _(
                    "The image %(src)s has no alt text: say what it shows "
                    "between the square brackets, ![like this](…)."
                )
                % {"src": src},
                True,
            )
        )

    cited_ids = {r["id"] for r in rendered.references}
    if article.pk:
        for reference in article.references.all():
            if reference.pk not in cited_ids:
                problems.append(
                    _problem(
                        "uncited",
                        _("Reference %(key)s is attached but never cited.")
                        % {"key": reference.citation_key},
                        False,
                    )
                )
    this_year = timezone.localdate().year
    for reference in rendered.references:
        year = reference["year"]
        if year and this_year - year > OLD_SOURCE_YEARS:
            problems.append(
                _problem(
                    "old_source",
                    _("Reference %(number)s is from %(year)s, over %(n)s years old.")
                    % {"number": reference["number"], "year": year, "n": 10},
                    False,
                )
            )
        if not reference["evidence_level"]:
            problems.append(
                _problem(
                    "evidence_level",
                    _("Reference %(number)s has no evidence level set.")
                    % {"number": reference["number"]},
                    False,
                )
            )
    title = revision.seo_title or revision.title
    if len(title) > SEO_TITLE_MAX:
        problems.append(
            _problem(
                "seo_title",
                _("The SEO title is %(n)s characters; about 60 fit in results.")
                % {"n": len(title)},
                False,
            )
        )
    low, high = META_DESCRIPTION_RANGE
    length = len(revision.meta_description.strip())
    if length and not low <= length <= high:
        problems.append(
            _problem(
                "meta_length",
                _("The meta description is %(n)s characters; aim for 120–160.")
                % {"n": length},
                False,
            )
        )
    problems.sort(key=lambda c: not c.blocking)
    return problems


ALL_CHECKS = [
    ("unresolved_citation", gettext_lazy("Every citation matches a reference"), True),
    ("no_citation", gettext_lazy("At least one source is cited"), True),
    (
        "retracted",
        gettext_lazy("No cited source is retracted, withdrawn or removed"),
        True,
    ),
    ("topic", gettext_lazy("The article has a topic"), True),
    ("summary", gettext_lazy("The summary is filled in"), True),
    ("meta_description", gettext_lazy("The meta description is filled in"), True),
    ("image_alt", gettext_lazy("Every image has alt text"), True),
    (
        "notice",
        gettext_lazy("No cited source has a correction or concern notice"),
        False,
    ),
    ("uncited", gettext_lazy("Every attached reference is cited"), False),
    ("old_source", gettext_lazy("Sources are under 10 years old"), False),
    ("evidence_level", gettext_lazy("Every source has an evidence level"), False),
    ("seo_title", gettext_lazy("The SEO title is about 60 characters or fewer"), False),
    ("meta_length", gettext_lazy("The meta description is 120–160 characters"), False),
]


def checklist(article, revision) -> list[dict]:
    """Every check with its outcome, for the admin's checklist."""
    problems = run_checks(article, revision)
    by_code: dict[str, list[Check]] = {}
    for problem in problems:
        by_code.setdefault(problem.code, []).append(problem)
    return [
        {
            "code": code,
            "label": label,
            "blocking": blocking,
            "passed": code not in by_code,
            "messages": [p.message for p in by_code.get(code, [])],
        }
        for code, label, blocking in ALL_CHECKS
    ]
