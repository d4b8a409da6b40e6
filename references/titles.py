"""Article titles in sentence case, as AMA and Vancouver print them.

BibTeX files and some publishers (Crossref records from NEJM or PLoS, say)
give titles in Title Case. `sentence_case` lowers the words a person would
lower, keeping what it can tell must stay capitalised: the first word, the
first word after a colon, acronyms and words with internal capitals (HIV,
mRNA, SARS-CoV-2), single letters (hepatitis B), words protected by BibTeX
braces, and proper nouns from a short list of eponyms and places. A title
that is not in Title Case is left alone, so PubMed's titles, already in
sentence case with their proper nouns, never lose a capital.
"""

import re

PROPER_NOUNS = frozenset(
    """
    addison africa african alzheimer america american apgar asia asian asperger
    australia australian barre barré bayes bayesian bell brazil brazilian britain
    british canada canadian caucasian china chinese cochrane covid cox crohn
    cushing danish darwinian dawley denmark doppler dutch ebola england english
    europe european finland finnish france french gaussian german germany gleason
    gram graves guillain hashimoto hispanic hodgkin holter huntington india indian
    ireland irish israel israeli italian italy japan japanese kaplan kawasaki
    klinefelter korea korean latino lyme marfan medicaid medicare meier mendelian
    mexican mexico netherlands norway norwegian pap parkinson poisson raynaud
    scotland scottish sjogren sjögren spain spanish sprague sweden swedish
    tourette turner wales welsh wilson wistar zika
    january february march april june july august september october november
    december
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
WORD = re.compile(r"^(\W*)(.*?)(\W*)$", re.S)
# Placeholders for BibTeX's {protected} spans: private-use characters, which
# are not letters, so nothing below changes them.
OPEN, CLOSE = "\ue000", "\ue001"
BRACED = re.compile(r"\{([^{}]*)\}")


def looks_title_case(title: str) -> bool:
    """Whether most longer words after the first start with a capital."""
    words = re.findall(r"[^\W\d_][\w'’]*", title)[1:]
    candidates = [w for w in words if len(w) > 3 and not _has_inner_capital(w)]
    if len(candidates) < 2:
        return False
    capitals = sum(1 for w in candidates if w[0].isupper())
    return capitals / len(candidates) >= 0.6


def _has_inner_capital(word: str) -> bool:
    return any(ch.isupper() for ch in word[1:])


def _keep(part: str) -> bool:
    core = re.sub(r"['’]s$", "", part)
    return (
        not core
        or _has_inner_capital(core)
        or (len(core) == 1 and core.isupper())
        or any(ch.isdigit() for ch in core)
        or OPEN in core
        or core.lower() in PROPER_NOUNS
    )


def _lower_word(word: str, keep_first: bool = False) -> str:
    lead, core, trail = WORD.match(word).groups()
    parts = re.split(r"([-/])", core)
    lowered = [
        p if p in "-/" or _keep(p) or (keep_first and i == 0) else p[:1].lower() + p[1:]
        for i, p in enumerate(parts)
    ]
    return lead + "".join(lowered) + trail


def sentence_case(title: str, braces: bool = False) -> str:
    """`title` in sentence case if it is in Title Case; otherwise unchanged.

    With `braces`, BibTeX {protected} words are kept as written and the braces
    are removed.
    """
    protected: list[str] = []
    if braces:

        def stash(match: re.Match) -> str:
            protected.append(match.group(1))
            return f"{OPEN}{len(protected) - 1}{CLOSE}"

        title = BRACED.sub(stash, title)
    if looks_title_case(title.replace(OPEN, " ").replace(CLOSE, " ")):
        tokens = re.split(r"(\s+)", title)
        after_break = True
        for index, token in enumerate(tokens):
            if not token or token.isspace():
                continue
            tokens[index] = _lower_word(token, keep_first=after_break)
            after_break = token.endswith((":", "?", "!", "."))
        title = "".join(tokens)
    if braces:
        title = re.sub(
            f"{OPEN}(\\d+){CLOSE}", lambda m: protected[int(m.group(1))], title
        )
        title = re.sub(r"(?<!\\)[{}]", "", title)
    return title
