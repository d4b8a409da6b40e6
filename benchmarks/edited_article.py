"""A long article and a heavily edited revision of it, for the diff tests and
benchmarks/desk.py.

The first text has exactly 5,158 words (as `str.split` counts them) of
health prose: ten sections of paragraphs, two bulleted lists, and about 150
citations of 40 sources. The edit changes about 1,300 words, counted as they
are made (words inserted plus words deleted, as `git diff` counts lines),
spread over the whole text: sentences rewritten, added and removed inside
paragraphs, doses and figures changed, a heading renamed, paragraphs added,
removed and moved to another section. The sentences it adds cite four new
sources, so the numbered reference list grows and is renumbered from the
first of them on.

    old, new = edited_texts()            # plain text, no database
    article = edited_article(writer, reviewer)  # in review: revision 2 against 1

The same seed gives the same texts everywhere.
"""

import random
from dataclasses import dataclass

WORDS = 5_158
CHANGED = 1_300
SOURCES = 40  # cited by the first text
NEW_SOURCES = 4  # cited only by sentences the edit adds
KEY = "deskdiff{}"

SUBJECTS = [
    "Most people",
    "Your midwife",
    "A large cohort study",
    "The national guideline",
    "Several randomised trials",
    "A pooled analysis of three cohorts",
    "Obstetricians",
    "A Cochrane review",
    "Your GP",
    "Smaller studies",
    "Public health bodies",
    "A trial in twelve hospitals",
]
VERBS = [
    "found that",
    "suggested that",
    "concluded that",
    "advised that",
    "showed that",
    "reported that",
    "agreed that",
    "could not confirm that",
]
MEDICINES = [
    "folic acid",
    "progesterone",
    "low-dose aspirin",
    "vitamin D",
    "iron",
    "paracetamol",
]
THINGS = MEDICINES + [
    "caffeine",
    "regular exercise",
    "smoking",
    "alcohol",
    "a dating scan",
    "screening for gestational diabetes",
    "the whooping cough vaccine",
    "a balanced diet",
    "stopping work early",
]
EFFECTS = [
    "lowers the risk of",
    "does not change the risk of",
    "may raise the risk of",
    "makes little difference to",
    "is linked with a lower rate of",
]
OUTCOMES = [
    "miscarriage",
    "preterm birth",
    "pre-eclampsia",
    "neural tube defects",
    "low birth weight",
    "anaemia",
    "stillbirth",
    "gestational diabetes",
    "heavy bleeding after birth",
    "a baby who is small for dates",
]
SETTINGS = [
    "in the first trimester",
    "in women who have had a miscarriage before",
    "for people over 35",
    "in twin pregnancies",
    "when it is started before conception",
    "after 20 weeks",
    "in a first pregnancy",
    "for most women",
]
HEADINGS = [
    "What the evidence says",
    "Before you conceive",
    "The first twelve weeks",
    "Scans and screening",
    "Medicines and supplements",
    "Food, drink and exercise",
    "Warning signs",
    "When to get help",
    "Later in pregnancy",
    "After the birth",
    "Questions to ask",
    "What we do not know yet",
]


def _sentence(rng: random.Random, sources: range) -> str:
    thing = rng.choice(THINGS)
    if thing in MEDICINES and rng.random() < 0.5:
        thing += f" at {rng.choice([0.4, 5, 10, 75, 150, 400])} mg a day"
    sentence = (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {thing} "
        f"{rng.choice(EFFECTS)} {rng.choice(OUTCOMES)} {rng.choice(SETTINGS)}"
    )
    if rng.random() < 0.45:
        keys = rng.sample(sources, 2 if rng.random() < 0.2 else 1)
        sentence += " [" + "; ".join("@" + KEY.format(n) for n in keys) + "]"
    return sentence + "."


def _paragraph(rng: random.Random, sources: range) -> list[str]:
    return [_sentence(rng, sources) for _ in range(rng.randint(3, 6))]


def _list(rng: random.Random) -> str:
    items = rng.sample(THINGS, rng.randint(3, 6))
    return "\n".join(
        f"- **{item.capitalize()}**: ask about it {rng.choice(SETTINGS)}."
        for item in items
    )


@dataclass
class _Block:
    """A heading, a list (kept whole) or a paragraph (a list of sentences)."""

    heading: str = ""
    items: str = ""
    sentences: list[str] | None = None

    @property
    def text(self) -> str:
        if self.heading:
            return f"## {self.heading}"
        return self.items or " ".join(self.sentences or [])

    @property
    def words(self) -> int:
        return len(self.text.split())


def _first_text(rng: random.Random, words: int) -> list[_Block]:
    sources = range(SOURCES)
    blocks, total, headings = [], 0, iter(HEADINGS * 10)
    while total < words:
        if words - total < 150:  # the end: one paragraph cut to the count
            sentences = []
            while len(" ".join(sentences).split()) < words - total:
                sentences.append(_sentence(rng, sources))
            kept = " ".join(" ".join(sentences).split()[: words - total])
            block = _Block(sentences=[kept.rstrip(".") + "."])
        elif len(blocks) % 7 == 0:
            block = _Block(heading=next(headings))
        elif len(blocks) % 19 == 11:
            block = _Block(items=_list(rng))
        else:
            block = _Block(sentences=_paragraph(rng, sources))
        blocks.append(block)
        total += block.words
    return blocks


def _edits(rng: random.Random, blocks: list[_Block], changed: int) -> int:
    """Edit `blocks` in place until about `changed` words have changed."""
    new_sources = range(SOURCES, SOURCES + NEW_SOURCES)
    old_sources = range(SOURCES)
    count = 0
    paragraphs = [b for b in blocks if b.sentences]
    # Structure first, at points spread over the text: two paragraphs
    # removed, two added, one moved to another section, a heading renamed.
    for share in (0.2, 0.7):
        gone = paragraphs[int(len(paragraphs) * share)]
        blocks.remove(gone)
        paragraphs.remove(gone)
        count += gone.words
    for share in (0.35, 0.85):
        added = _Block(sentences=_paragraph(rng, new_sources))
        blocks.insert(blocks.index(paragraphs[int(len(paragraphs) * share)]), added)
        count += added.words
    moved = paragraphs[int(len(paragraphs) * 0.1)]
    blocks.remove(moved)
    blocks.insert(blocks.index(paragraphs[int(len(paragraphs) * 0.6)]) + 1, moved)
    count += 2 * moved.words
    renamed = next(b for b in blocks[len(blocks) // 2 :] if b.heading)
    count += len(renamed.heading.split())
    renamed.heading = "What this means for you"
    count += len(renamed.heading.split())
    # Then edits inside paragraphs, a paragraph every few down the text.
    stride = 3
    for position in range(len(paragraphs) * 4):
        if count >= changed:
            break
        paragraph = paragraphs[(position * stride) % len(paragraphs)]
        sentences = paragraph.sentences
        at = rng.randrange(len(sentences))
        kind = rng.random()
        if kind < 0.3:  # a sentence rewritten
            old = sentences[at]
            sentences[at] = _sentence(rng, new_sources)
            count += len(old.split()) + len(sentences[at].split())
        elif kind < 0.5:  # a sentence added
            sentences.insert(at, _sentence(rng, old_sources))
            count += len(sentences[at].split())
        elif kind < 0.6 and len(sentences) > 2:  # a sentence removed
            count += len(sentences.pop(at).split())
        else:  # a figure or a few words changed
            words = sentences[at].split()
            spot = rng.randrange(1, max(2, len(words) - 3))
            span = rng.randint(1, 3)
            old_words = words[spot : spot + span]
            new_words = [rng.choice(["often", "rarely", "clearly", "10 mg", "not"])]
            words[spot : spot + span] = new_words
            sentences[at] = " ".join(words)
            count += len(old_words) + len(new_words[0].split())
    return count


@dataclass
class EditedTexts:
    old: str
    new: str
    old_summary: str
    new_summary: str
    changed: int  # words inserted plus deleted, as the edits made them

    @property
    def words(self) -> int:
        return len(self.old.split())


def edited_texts(
    words: int = WORDS, changed: int = CHANGED, seed: int = 16
) -> EditedTexts:
    """The first text of `words` words and its edit changing about `changed`."""
    rng = random.Random(seed)
    blocks = _first_text(rng, words)
    old = "\n\n".join(b.text for b in blocks) + "\n"
    new_blocks = [
        _Block(b.heading, b.items, list(b.sentences) if b.sentences else None)
        for b in blocks
    ]
    made = _edits(rng, new_blocks, changed)
    new = "\n\n".join(b.text for b in new_blocks) + "\n"
    return EditedTexts(
        old=old,
        new=new,
        old_summary="What the trials show about supplements and scans in pregnancy.",
        new_summary=(
            "What the latest trials show about supplements, scans and "
            "screening in pregnancy."
        ),
        changed=made,
    )


def swapped_texts(lines: int = 2_800, seed: int = 16) -> EditedTexts:
    """The diff's worst case: a body near the size limit (about 190,000
    characters), one short note a line, and an edit that swaps every two
    lines. Each line is unique and only one away from where it was, so
    difflib finds one match per search and searches nearly the whole text
    each time: aligning it all takes seconds. One line of each pair moves,
    so about half the words are deleted and inserted again."""
    rng = random.Random(seed)
    old_lines = [f"Sources: [@{KEY.format(0)}]."] + [
        f"Note {n}: {rng.choice(THINGS)} {rng.choice(EFFECTS)} {rng.choice(OUTCOMES)}."
        for n in range(lines - 1)
    ]
    new_lines = []
    for n in range(0, lines - 1, 2):
        new_lines += [old_lines[n + 1], old_lines[n]]
    new_lines += old_lines[len(new_lines) :]
    old, new = "\n".join(old_lines), "\n".join(new_lines)
    return EditedTexts(old, new, "Notes.", "Notes, swapped.", len(old.split()))


def sources() -> list[dict]:
    """The fields of the references both texts cite (create them once)."""
    return [
        {
            "citation_key": KEY.format(n),
            "kind": "journal_article",
            "title": f"Outcomes of intervention {n} in a pregnancy cohort",
            "authors": [
                {"family": f"Author{n}", "given": "Alex"},
                {"family": "Second", "given": "Sam"},
            ],
            "container_title": "Journal of Maternal Health Research",
            "journal_abbrev": "J Matern Health Res",
            "year": 2015 + n % 10,
            "volume": str(20 + n),
            "issue": "3",
            "pages": f"{200 + n}-{212 + n}",
            "doi": f"10.5555/deskdiff.{n}",
        }
        for n in range(SOURCES + NEW_SOURCES)
    ]


def edited_article(
    writer,
    reviewer,
    slug: str = "long-edited-article",
    texts: EditedTexts | None = None,
):
    """The first text approved by `reviewer`, then edited by `writer` and
    submitted again: in review, revision 2 against revision 1. The texts are
    edited_texts() unless given."""
    from articles.models import Article, Topic
    from references.models import Reference

    texts = texts or edited_texts()
    for fields in sources():
        Reference.objects.get_or_create(
            citation_key=fields["citation_key"], defaults=fields
        )
    article = Article.objects.create(
        title="Supplements, scans and screening in pregnancy",
        slug=slug,
        summary=texts.old_summary,
        meta_description="What the evidence says about supplements and scans.",
        body=texts.old,
        created_by=writer,
    )
    article.authors.add(writer.contributor)
    article.topics.add(
        Topic.objects.get_or_create(slug="pregnancy", defaults={"name": "Pregnancy"})[0]
    )
    article.save_revision(by=writer)
    article.submit_for_review(by=writer)
    article.approve(by=reviewer, comment="Accurate.")
    article.body, article.summary = texts.new, texts.new_summary
    article.save()
    article.save_revision(by=writer, note="Updated for the new trials.")
    article.submit_for_review(by=writer)
    return article
