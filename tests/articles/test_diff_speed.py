"""Diffs of long articles: bounded work, one time budget per page, and a
coarser diff, said on the page, when the budget runs out.

Work is counted (Budget.pairs, Budget.largest) rather than timed, so that
these tests hold on a busy machine; benchmarks/desk.py times the pages.
"""

import html
import re

import pytest
from django.urls import reverse

from articles.admin import diffs
from articles.admin.diffs import TOKEN, WORD_PAIRS, Budget, text_diff
from articles.admin.htmldiff import html_diff
from benchmarks.edited_article import edited_article, edited_texts, swapped_texts

LONG = edited_texts()
COARSE = "Partly shown by whole passages"


class Steps(Budget):
    """A budget that runs out after `steps` checks, whatever the clock says,
    and remembers the work counted by then."""

    def __init__(self, steps: int):
        super().__init__(seconds=3600)
        self.left = steps
        self.pairs_when_spent = None

    def spent(self) -> bool:
        self.left -= 1
        if self.left < 0 and self.pairs_when_spent is None:
            self.pairs_when_spent = self.pairs
        return self.left < 0


def sides(marked: str) -> tuple[str, str]:
    """The old and the new text that a diff's HTML shows."""

    def text(kept: str) -> str:
        return html.unescape(re.sub(r"</?(?:ins|del)>", "", kept))

    old = re.sub(r"<ins>.*?</ins>", "", marked, flags=re.S)
    new = re.sub(r"<del>.*?</del>", "", marked, flags=re.S)
    return text(old), text(new)


@pytest.fixture
def long_edit(writer, reviewer):
    return edited_article(writer, reviewer)


# The generated edit ------------------------------------------------------------


def test_the_long_edit_is_the_size_the_issue_reports():
    """5,158 words, about 1,300 of them changed."""
    assert LONG.words == 5_158
    assert 1_250 <= LONG.changed <= 1_350


# The source diff ---------------------------------------------------------------


def test_a_long_edit_is_aligned_in_small_steps():
    """No alignment is larger than WORD_PAIRS, and all of them together do
    under 1% of the work of aligning the two whole texts at once."""
    budget = Budget(seconds=3600)
    diff = text_diff(LONG.old, LONG.new, budget)
    whole = len(TOKEN.findall(LONG.old)) * len(TOKEN.findall(LONG.new))
    assert not diff.coarse
    assert budget.largest <= WORD_PAIRS
    assert budget.pairs < whole / 100


def test_a_long_edit_is_marked_word_by_word():
    """Both texts survive in the diff, and the counts match the edit."""
    diff = text_diff(LONG.old, LONG.new, Budget(seconds=3600))
    assert sides(diff.html) == (LONG.old, LONG.new)
    assert diff.inserted + diff.deleted == pytest.approx(LONG.changed, rel=0.1)


def test_no_time_left_shows_the_changed_middle_whole():
    """With the budget spent, nothing is aligned and no word is lost: the
    shared start stays unmarked and the rest is deleted and inserted whole."""
    budget = Budget(seconds=0)
    diff = text_diff(LONG.old, LONG.new, budget)
    assert diff.coarse
    assert budget.pairs == 0
    assert sides(diff.html) == (LONG.old, LONG.new)
    assert diff.html.startswith("## What the evidence says")
    assert diff.html.count("<del>") == diff.html.count("<ins>") == 1


def test_a_budget_spent_midway_stops_aligning():
    """Once the budget is spent no alignment runs; the changes left are whole."""
    budget = Steps(20)
    diff = text_diff(LONG.old, LONG.new, budget)
    assert diff.coarse
    assert budget.pairs == budget.pairs_when_spent
    assert sides(diff.html) == (LONG.old, LONG.new)


def test_the_worst_case_is_cut_by_the_budget():
    """A near-limit body with every two lines swapped stops at the budget too."""
    swapped = swapped_texts()
    budget = Steps(200)
    diff = text_diff(swapped.old, swapped.new, budget)
    assert diff.coarse
    assert budget.pairs == budget.pairs_when_spent
    assert sides(diff.html) == (swapped.old, swapped.new)


def test_short_texts_are_still_diffed_word_by_word():
    """A change inside one long line is found word by word, not shown whole."""
    line = " ".join(f"word{n}" for n in range(400))
    diff = text_diff(line, line.replace("word200", "changed"), Budget(seconds=3600))
    assert not diff.coarse
    assert "<del>word200</del><ins>changed</ins>" in diff.html
    assert (diff.inserted, diff.deleted) == (1, 1)


def test_compare_shares_one_budget_across_fields(long_edit):
    """Every field of a page is diffed within the same budget."""
    old, new = long_edit.revisions.order_by("number")
    budget = Budget(seconds=0)
    fields = {d.name: d for d in diffs.compare(old, new, budget=budget)}
    assert fields["body"].coarse and fields["cited"].coarse
    assert not fields["title"].coarse  # unchanged: nothing to align


def test_a_renumbered_reference_list_is_aligned_by_words(long_edit):
    """References renumbered by a new citation show the numbers changed."""
    old, new = long_edit.revisions.order_by("number")
    cited = {d.name: d for d in diffs.compare(old, new, budget=Budget(3600))}["cited"]
    assert cited.changed and not cited.coarse
    assert re.search(r"\[<del>\d+</del><ins>\d+</ins>\]", cited.html)


# The rendered diff -------------------------------------------------------------


def test_the_rendered_long_edit_is_aligned_in_small_steps(long_edit):
    """The review screen's diff of the long edit is aligned paragraph by
    paragraph (a few milliseconds each), with under 2% of the work of
    aligning the two texts' words at once."""
    old, new = long_edit.revisions.order_by("number")
    budget = Budget(seconds=3600)
    diff = html_diff(old.body_html, new.body_html, budget=budget)
    whole = len(TOKEN.findall(LONG.old)) * len(TOKEN.findall(LONG.new))
    assert not diff.coarse
    assert budget.largest < 100_000
    assert budget.pairs < whole / 50
    assert diff.inserted > 500 and diff.deleted > 500


def test_the_rendered_diff_stops_aligning_when_the_budget_is_spent(long_edit):
    """Past the budget, html_diff aligns nothing more and says it is coarse."""
    old, new = long_edit.revisions.order_by("number")
    budget = Steps(20)
    diff = html_diff(old.body_html, new.body_html, budget=budget)
    assert diff.coarse
    assert budget.pairs == budget.pairs_when_spent
    assert "<ins>" in diff.html and "<del>" in diff.html


def test_one_paragraph_too_long_leaves_the_others_word_by_word():
    """A paragraph past MAX_TOKENS is shown whole; the next is still diffed."""
    words = " ".join(["word"] * 1_500)
    diff = html_diff(
        f"<p>{words}</p><p>Take 5 mg daily.</p>",
        f"<p>{words} more</p><p>Take 10 mg daily.</p>",
        budget=Budget(seconds=3600),
    )
    assert diff.coarse
    assert "<p>Take <del>5</del><ins>10</ins> mg daily.</p>" in diff.html


# The pages ---------------------------------------------------------------------


def review_url(article, **query) -> str:
    url = reverse("admin:articles_article_review", args=[article.pk])
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def compare_url(article) -> str:
    return reverse("admin:articles_article_compare", args=[article.pk])


def body_counts(page: str) -> tuple[int, int]:
    found = re.search(r"Body <small>\(\+([\d,]+) / −([\d,]+) words\)", page)
    return int(found[1].replace(",", "")), int(found[2].replace(",", ""))


def test_source_diff_of_a_long_edit(client, long_edit, reviewer):
    """The source diff of 5,158 words answers with the changes marked."""
    client.force_login(reviewer)
    response = client.get(review_url(long_edit, view="source"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<ins>" in page and "<del>" in page
    inserted, deleted = body_counts(page)
    assert inserted > 500 and deleted > 500


def test_compare_of_a_long_edit(client, long_edit, reviewer):
    """Compare revisions answers for the long edit with the changes marked."""
    client.force_login(reviewer)
    response = client.get(compare_url(long_edit))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<ins>" in page and "<del>" in page
    assert sum(body_counts(page)) > 1_000


@pytest.mark.parametrize("view", ["source", "compare", "rendered"])
def test_out_of_time_the_page_says_so(client, long_edit, reviewer, monkeypatch, view):
    """With no time to align words, the page still shows every change and
    says that some are shown whole."""
    monkeypatch.setattr(diffs, "BUDGET", 0)
    client.force_login(reviewer)
    url = (
        compare_url(long_edit)
        if view == "compare"
        else review_url(long_edit, view=view)
    )
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert COARSE in page
    assert "<ins>" in page and "<del>" in page


def test_in_time_the_page_says_nothing(client, article, writer, reviewer):
    """A short edit is diffed word by word, with no note about passages."""
    article.submit_for_review(by=writer)
    article.approve(by=reviewer)
    article.body = "Mucus changes a lot [@najmabadi2021]."
    article.save()
    article.save_revision(by=writer)
    client.force_login(reviewer)
    page = client.get(compare_url(article)).content.decode()
    assert "<ins> a lot</ins>" in page
    assert COARSE not in page
