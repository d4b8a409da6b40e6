"""A word diff of two rendered pages that keeps their HTML.

The reviewer reads the new revision as readers will see it, with deleted words
in <del> and inserted words in <ins> inside the blocks they belong to. Both
sides are revisions' stored HTML, which the Markdown pipeline sanitized when
they were saved; here every tag is written out again from its parsed name and
attributes (values escaped, event handlers and scripts dropped) and every word
is escaped, so the diff adds nothing but <ins> and <del>.
"""

import difflib
import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser

from django.utils.safestring import SafeString, mark_safe

from articles.admin.diffs import Budget, align

# Words, runs of whitespace and single punctuation marks, as in diffs.py.
TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
ESCAPED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
VOID = {"area", "br", "col", "hr", "img", "source", "wbr"}
DROPPED = {"script", "style", "iframe", "object", "embed", "template"}
# Elements readers see as blocks: paired with an old one only when their
# words are alike; inline elements (links, emphasis, citations) pair by tag.
BLOCKS = {
    "blockquote",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tr",
    "ul",
}
SIMILAR = 0.5
LOOKAHEAD = 12  # how far ahead an old block looks for its new counterpart
QUICK_ONLY = 250_000  # word pairs past which similarity is only estimated
ENDS_FIRST = 10_000  # token pairs past which a block's shared ends go first
# A paragraph longer than this (a body without paragraphs) is marked whole,
# not aligned word by word, which would take seconds.
MAX_TOKENS = 2_000


@dataclass(eq=False)
class Element:
    tag: str
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list = field(default_factory=list)  # words (str) and Elements
    _html: str | None = None
    _words: list[str] | None = None

    def start(self, drop_ids: bool = False) -> str:
        parts = [self.tag]
        for name, value in self.attrs:
            if drop_ids and name in {"id", "aria-labelledby", "aria-describedby"}:
                continue
            parts.append(name if value is None else f'{name}="{escape(value)}"')
        return "<" + " ".join(parts) + ">"

    def end(self) -> str:
        return "" if self.tag in VOID else f"</{self.tag}>"

    @property
    def html(self) -> str:
        if self._html is None:
            inner = "".join(c if isinstance(c, str) else c.html for c in self.children)
            self._html = self.start() + inner + self.end()
        return self._html

    @property
    def words(self) -> list[str]:
        """The words inside, whitespace left out: what similarity compares."""
        if self._words is None:
            self._words = []
            for child in self.children:
                if isinstance(child, str):
                    if not child.isspace():
                        self._words.append(child)
                else:
                    self._words += child.words
        return self._words


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("")
        self.stack = [self.root]
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED:
            self.skipping += 1
            return
        if self.skipping:
            return
        attrs = [
            (name, value)
            for name, value in attrs
            if not name.startswith("on")
            and not (value or "").strip().lower().startswith("javascript:")
        ]
        element = Element(tag, attrs)
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and tag not in DROPPED and not self.skipping:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in DROPPED:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag in VOID:
            return
        # Close up to the matching open element; a stray end tag is ignored.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if not self.skipping:
            # Only a token of one character can need escaping.
            self.stack[-1].children += [
                ESCAPED.get(token, token) for token in TOKEN.findall(data)
            ]


def parse(html: str) -> Element:
    """The HTML as a tree whose text is split into escaped word tokens."""
    builder = _TreeBuilder()
    builder.feed(html or "")
    builder.close()
    return builder.root


def _key(item) -> str:
    return item if isinstance(item, str) else item.html


def _only_blocks(items: list) -> bool:
    """Elements with only whitespace between them, as in a list or a table."""
    return any(not isinstance(i, str) for i in items) and all(
        not isinstance(i, str) or i.isspace() for i in items
    )


class _Diff:
    """One comparison: the marked HTML, word counts and a time budget.

    Past the budget, the changed runs left are shown deleted and inserted
    whole rather than aligned word by word (and `coarse` says so), so no body
    up to the size limit can keep a worker busy.
    """

    def __init__(self, budget: Budget):
        self.budget = budget
        self.inserted = 0
        self.deleted = 0
        self.coarse = False

    def late(self) -> bool:
        """Whether the time is spent (from then on, the diff is coarse)."""
        spent = self.budget.spent()
        self.coarse |= spent
        return spent

    def wrap(self, words: list[str], kind: str) -> str:
        text = "".join(words)
        if not text or text.isspace():
            return text if kind == "ins" else ""
        count = sum(1 for word in words if not word.isspace())
        if kind == "del":
            self.deleted += count
        else:
            self.inserted += count
        return f"<{kind}>{text}</{kind}>"

    def marked(self, element: Element, kind: str) -> str:
        """A whole element inserted or deleted: its text marked, its tags kept."""
        tag = element.start(drop_ids=kind == "del")
        if element.tag in VOID:
            return (
                tag
                if element.tag == "br"
                else f'<{kind} class="diff-media">{tag}</{kind}>'
            )
        return tag + self.marked_children(element.children, kind) + element.end()

    def marked_children(self, items: list, kind: str) -> str:
        out, words = [], []
        for item in items:
            if isinstance(item, str):
                words.append(item)
                continue
            out.append(self.wrap(words, kind))
            words = []
            out.append(self.marked(item, kind))
        out.append(self.wrap(words, kind))
        return "".join(out)

    def similar(self, old: Element, new: Element) -> bool:
        if old.tag != new.tag:
            return False
        if old.html == new.html:
            return True
        if old.tag not in BLOCKS:
            return True
        if not old.words and not new.words:
            return old.html == new.html
        if self.late():
            return False
        matcher = difflib.SequenceMatcher(None, old.words, new.words)
        if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
            return False
        # For long blocks the shared vocabulary is enough: the word alignment
        # that follows is the costly part, and it is needed anyway.
        pairs = len(old.words) * len(new.words)
        if pairs > QUICK_ONLY:
            return True
        self.budget.count(pairs)
        return matcher.ratio() >= SIMILAR

    def changed(self, olds: list, news: list) -> str:
        """A changed run: pair alike elements, mark the rest deleted or inserted."""
        out, deleted, position = [], [], 0

        def flush() -> None:
            out.append(self.wrap(deleted, "del"))
            deleted.clear()

        for old in olds:
            if isinstance(old, str):
                deleted.append(old)
                continue
            window = range(position, min(len(news), position + LOOKAHEAD))
            match = next(
                (
                    k
                    for k in window
                    if not isinstance(news[k], str) and self.similar(old, news[k])
                ),
                None,
            )
            flush()
            if match is None:
                out.append(self.marked(old, "del"))
                continue
            out.append(self.marked_children(news[position:match], "ins"))
            out.append(self.element(old, news[match]))
            position = match + 1
        flush()
        out.append(self.marked_children(news[position:], "ins"))
        return "".join(out)

    def children(self, olds: list, news: list) -> str:
        # Between blocks (in the page, a list, a table) whitespace is only
        # layout: leave it out, so that it never anchors a match.
        if _only_blocks(olds) and _only_blocks(news):
            olds = [i for i in olds if not isinstance(i, str)]
            news = [i for i in news if not isinstance(i, str)]
        if self.late() or max(len(olds), len(news)) > MAX_TOKENS:
            self.coarse = True
            return self.changed(olds, news)
        # Among many blocks, one repeated often (a rule, an empty item) is
        # never an anchor, as in diffs.py's lines: it would make the
        # alignment quadratic. A long paragraph's unchanged start and end are
        # set aside first, which halves the time of a long article's diff.
        ops, finished = align(
            [_key(i) for i in olds],
            [_key(i) for i in news],
            self.budget,
            autojunk=_only_blocks(news),
            ends=len(olds) * len(news) > ENDS_FIRST,
        )
        self.coarse |= not finished
        out = []
        for changed, i1, i2, j1, j2 in ops:
            if not changed:
                out += [_key(i) for i in news[j1:j2]]
            else:
                out.append(self.changed(olds[i1:i2], news[j1:j2]))
        return "\n".join(out) if _only_blocks(news) else "".join(out)

    def element(self, old: Element, new: Element) -> str:
        if old.html == new.html:
            return new.html
        if new.tag in VOID:
            return self.marked(old, "del") + self.marked(new, "ins")
        return new.start() + self.children(old.children, new.children) + new.end()


@dataclass
class HtmlDiff:
    html: SafeString
    inserted: int
    deleted: int
    coarse: bool = False  # some changes are marked whole, not word by word


def html_diff(
    old_html: str,
    new_html: str,
    seconds: float | None = None,
    budget: Budget | None = None,
) -> HtmlDiff:
    """The new HTML with the words changed since the old marked inline,
    within `budget` (shared with the page's other diffs), else `seconds`
    (diffs.BUDGET by default)."""
    diff = _Diff(budget or Budget(seconds))
    html = diff.children(parse(old_html).children, parse(new_html).children)
    return HtmlDiff(mark_safe(html), diff.inserted, diff.deleted, diff.coarse)


def clean_html(html: str) -> SafeString:
    """The HTML written out again the same way, nothing marked (no comparison)."""
    return mark_safe("".join(_key(c) for c in parse(html).children))
