"""What the article form shows above its fields, before the editor.

An article sent back to its writer: the reviewer's decision (who, when, their
words in full), the comments still open on the text, whether the text was
revised since, and what the reviewer left unticked on the clinical checklist;
the same as the first item of the form's checklist, which stays unmet until
the text was revised and every comment resolved. Submitting stays possible
all the same (a writer may answer a comment rather than follow it); the
reviewer then sees on the review screen what is still open.

An article in review: what changed since the last approved revision, folded
to one line so that the editor comes first.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from articles.admin.diffs import compare
from articles.models import Article, Review, ReviewComment
from articles.workflow.review import comment_summary, review_checklist

# A decision comment longer than this scrolls inside its box on the form.
LONG_COMMENT = 1500


@dataclass
class Decision:
    """The latest decision on an article that was sent back, as people read it."""

    review: Review
    reviewer: str
    decided_at: str
    number: int
    comment: str
    listed: int = 0
    open_count: int = 0
    revised_to: int | None = None
    unticked: list[str] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """Revised since the decision, and no comment left open."""
        return self.revised_to is not None and not self.open_count

    @property
    def long(self) -> bool:
        return len(self.comment) > LONG_COMMENT


def own_words(review: Review, listed: list[ReviewComment]) -> str:
    """The reviewer's comment without the list of open comments the decision
    added to it (the form lists those itself, live); the whole stored comment
    if that list is not exactly where it was put."""
    summary = comment_summary(listed)
    if summary and review.comment.endswith(summary):
        return review.comment[: -len(summary)].strip()
    return review.comment.strip()


def decision(article: Article) -> Decision | None:
    """The decision that sent `article` back, while it is sent back."""
    if article.pk is None or article.status != Article.Status.CHANGES_REQUESTED:
        return None
    review = (
        Review.objects.filter(revision__article=article)
        .select_related("revision")
        .order_by("-created_at", "-pk")
        .first()
    )
    if review is None or review.decision != Review.Decision.CHANGES_REQUESTED:
        return None
    listed = list(
        ReviewComment.objects.filter(review=review)
        .select_related("revision")
        .order_by("created_at", "id")
    )
    ticked = review.checklist or {}
    current = article.current_revision
    return Decision(
        review=review,
        reviewer=review.reviewer_byline,
        decided_at=date_format(timezone.localtime(review.created_at), "j M Y, H:i T"),
        number=review.revision.number,
        comment=own_words(review, listed),
        listed=len(listed),
        open_count=ReviewComment.objects.filter(
            article=article, resolved_at__isnull=True
        ).count(),
        revised_to=current.number
        if current is not None and current.number > review.revision.number
        else None,
        # Reviews record every item, ticked or not; an empty record shows none.
        unticked=[
            label
            for key, label in review_checklist()
            if key in ticked and not ticked[key]
        ],
    )


def decision_context(article: Article) -> dict:
    """For the change form: the decision that sent the article back, if any."""
    return {"sent_back": decision(article)}


def changes_context(article: Article) -> dict:
    """For an article in review: its changes since the last approved revision,
    and how many words they insert and delete in all."""
    if article.status != Article.Status.IN_REVIEW or article.current_revision is None:
        return {}
    base = article.last_approved_revision()
    diffs = compare(base, article.current_revision, include_references=True)
    return {
        "review_diffs": diffs,
        "review_base": base,
        "review_inserted": sum(d.inserted for d in diffs if d.changed),
        "review_deleted": sum(d.deleted for d in diffs if d.changed),
    }


def checklist_item(article: Article) -> str:
    """The checklist's first item while the article is sent back, else ""."""
    found = decision(article)
    if found is None:
        return ""
    if found.revised_to is None:
        revised = _("Not revised since the decision on revision %(number)s.") % {
            "number": found.number
        }
    else:
        revised = _("Revised since the decision (now revision %(number)s).") % {
            "number": found.revised_to
        }
    if found.open_count:
        comments = _(
            "Comments still open on the text: %(count)d (resolve each once fixed)."
        ) % {"count": found.open_count}
    else:
        comments = _("No comment on the text is open.")
    notes = format_html(
        "<li>{}</li><li data-open-note>{}</li>{}",
        revised,
        comments,
        format_html(
            "<li>{}</li>",
            _("Not confirmed by the reviewer: %(items)s.")
            % {"items": "; ".join(found.unticked)},
        )
        if found.unticked
        else "",
    )
    done = _("Changes requested by %(name)s: addressed, submit it again") % {
        "name": found.reviewer
    }
    to_do = _("Changes requested by %(name)s: address them before submitting") % {
        "name": found.reviewer
    }
    return format_html(
        '<li class="check-sent-back {}" data-sent-back-check data-revised="{}" '
        'data-done-label="{}"><span aria-hidden="true">{}</span> '
        '<a href="#sent-back" data-label>{}</a><ul>{}</ul></li>',
        "check-passed" if found.done else "check-unmet",
        "1" if found.revised_to is not None else "0",
        done,
        "✓" if found.done else "✗",
        done if found.done else to_do,
        notes,
    )


def teaser(text: str, limit: int) -> tuple[str, str]:
    """`text` cut at the last word boundary before `limit` characters, and the
    rest; the whole text and "" when it fits."""
    text = text.strip()
    if len(text) <= limit:
        return text, ""
    cut = text.rfind(" ", 0, limit + 1)
    newline = text.rfind("\n", 0, limit + 1)
    cut = max(cut, newline)
    if cut < limit // 2:  # one very long word: cut inside it rather than show nothing
        cut = limit
    return text[:cut].rstrip(), text[cut:].lstrip()
