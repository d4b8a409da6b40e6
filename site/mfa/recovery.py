"""Recovery codes: made from `secrets`, kept only as digests.

Each code carries about 49 random bits, far beyond what the throttle lets
anyone guess, so a plain SHA-256 of its normalised form is enough to keep it
useless to whoever reads the database (a slow hash protects weak secrets,
and these are not weak).
"""

import hashlib
import secrets

COUNT = 10
# Lower case without look-alikes (no i, l, o, 0, 1): easy to read and type.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
GROUPS = (4, 4, 2)


def new_code() -> str:
    """A fresh code such as "k7rm-2bxq-9d"."""
    return "-".join(
        "".join(secrets.choice(ALPHABET) for _ in range(size)) for size in GROUPS
    )


def normalise(code: str) -> str:
    """What the person meant: case, spaces and dashes do not matter."""
    return "".join(char for char in code.lower() if char.isalnum())


def digest(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def looks_like_code(code: str) -> bool:
    """Whether `code` has a recovery code's length (a 6-digit code has not)."""
    return len(normalise(code)) == sum(GROUPS)
