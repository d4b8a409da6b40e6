"""The words of readers' searches, synonyms and the search vocabulary.

Pure functions on plain strings: how a query, a synonym or a title is cut
into words and normalised, which runs of words may be a synonym, which words
may be misspelt, and which queries look like personal data. The models
(articles/models/search.py) and the search (articles/public/search.py) use
them, so all of them agree on what "the same word" is.
"""

import re

# Letters and digits, with apostrophes inside a word ("crohn's"). Hyphens,
# slashes and other punctuation separate words: "c-section" is "c section".
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# A synonym may be a phrase of up to this many words ("pelvic inflammatory
# disease"); longer runs of a query are not looked up.
LONGEST_PHRASE = 4
# A word is a candidate for correction only from this length: shorter ones
# match too many vocabulary words to guess between.
SHORTEST_CORRECTED = 4
# Vocabulary words longer than this are not words anyone types.
LONGEST_WORD = 40
# Words too common to correct: a query's "what" is not a typo. (Shorter words
# are never corrected.)
COMMON_WORDS = frozenset(
    {
        "about",
        "after",
        "before",
        "does",
        "from",
        "have",
        "should",
        "their",
        "there",
        "these",
        "this",
        "what",
        "when",
        "where",
        "which",
        "will",
        "with",
        "without",
        "your",
    }
)
# What would identify a reader: an email address, or a long number (a phone,
# an NHS or card number, a date of birth): seven digits or more, allowing
# separators ("covid-19 2021" has six).
EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
LONG_NUMBER = re.compile(r"\d(?:[\s./-]?\d){6,}")


def words(text: str) -> list[str]:
    """The words of `text`, case-folded, with typographic apostrophes made plain."""
    return [word.replace("’", "'") for word in WORD.findall(text.casefold())]


def normalise(text: str) -> str:
    """`text` as one key: its words, case-folded, joined by single spaces."""
    return " ".join(words(text))


def phrases(query_words: list[str]) -> list[str]:
    """Every run of one to LONGEST_PHRASE consecutive words, normalised: the
    keys under which a synonym may match the query."""
    found = []
    for start in range(len(query_words)):
        for end in range(start + 1, min(start + LONGEST_PHRASE, len(query_words)) + 1):
            found.append(" ".join(query_words[start:end]))
    return found


def split_equivalents(text: str) -> list[str]:
    """The equivalents an editor typed: one per line, or separated by commas
    or semicolons; blank ones and repeats dropped, first spelling kept."""
    seen, kept = set(), []
    for part in re.split(r"[\n,;]+", text or ""):
        part = " ".join(part.split())
        key = normalise(part)
        if key and key not in seen:
            seen.add(key)
            kept.append(part)
    return kept


def lookup_key(forms: list[str]) -> str:
    """The normalised forms of a synonym group between bars, "|a|b c|", so
    that one LIKE finds the group by any of its forms."""
    keys = dict.fromkeys(key for key in map(normalise, forms) if key)
    return "|" + "|".join(keys) + "|"


def vocabulary_words(text: str) -> set[str]:
    """The words of `text` worth offering as a correction: letters only, at
    least SHORTEST_CORRECTED long (and not absurdly long)."""
    return {
        word
        for word in words(text)
        if word.isalpha() and SHORTEST_CORRECTED <= len(word) <= LONGEST_WORD
    }


def correctable(word: str) -> bool:
    """Whether a word of a query may be a misspelling worth correcting."""
    return (
        word.isalpha()
        and SHORTEST_CORRECTED <= len(word) <= LONGEST_WORD
        and word not in COMMON_WORDS
    )


def looks_personal(query: str) -> bool:
    """Whether a query looks like personal data, and so is never counted."""
    return bool(EMAIL.search(query) or LONG_NUMBER.search(query))
