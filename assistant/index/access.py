"""Who may read and change which documents: unpublished drafts belong to their owner's group.

A *group* is what the accounts of one commune share (the commune name from the auth file, or
the user name when none is given). Published documents — the bundled corpus and every upload
once published — are read by everyone. An unpublished upload is read, published and deleted
only by its own group and by province staff (commune `*` in the auth file). Without a login
(the app served on this machine only) the one user is treated as province staff.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from assistant.text.normalize import fold

PROVINCE = "*"  # the commune given to province staff accounts: they see and manage everything


def commune_key(name: str | None) -> str:
    """A commune's identity: NFC, case and spacing ignored, tone marks kept ("Phú Mỹ" ≠ "Phù Mỹ",
    two real communes). Accent-free matching is for suggestions only (`suggest_commune`)."""
    return " ".join(unicodedata.normalize("NFC", name or "").casefold().split())


def same_commune(a: str | None, b: str | None) -> bool:
    return bool(commune_key(a)) and commune_key(a) == commune_key(b)


def suggest_commune(name: str, known: Iterable[str]) -> str | None:
    """A known commune written like `name` but with other tone marks ("Phu My" → "Phú Mỹ"), as a
    suggestion to show; None when `name` is known as written, or nothing is written like it."""
    names = list(dict.fromkeys(known))
    if any(same_commune(name, k) for k in names):
        return None
    alike = [k for k in names if fold(k) == fold(name)]
    return alike[0] if len(alike) == 1 else None


@dataclass(frozen=True)
class Viewer:
    """The person behind a request."""

    user: str = ""
    group: str = ""  # "" with `sees_all`: the local single user
    sees_all: bool = False
    commune: str = ""  # the account's commune from the auth file ("" for staff and accounts without one)

    @classmethod
    def local(cls) -> Viewer:
        """The app on loopback without a login: one trusted user."""
        return cls(sees_all=True)

    @classmethod
    def account(cls, user: str, commune: str = "") -> Viewer:
        commune = " ".join(commune.split())
        if commune == PROVINCE:
            return cls(user=user, group=PROVINCE, sees_all=True)
        return cls(user=user, group=commune or user, commune=commune)

    def owns(self, owner: str | None) -> bool:
        """Whether a document owned by `owner` is this viewer's group's own (tone marks count)."""
        return bool(self.group) and same_commune(owner, self.group)

    def can_read(self, doc: Mapping) -> bool:
        if self.sees_all or doc.get("published", 1):
            return True
        return self.owns(doc.get("owner"))

    def can_change(self, doc: Mapping) -> bool:
        """Delete or (un)publish: province staff any document, a commune its own uploads."""
        return self.sees_all or self.owns(doc.get("owner"))


def hidden_documents(private: Mapping[str, str], viewer: Viewer) -> frozenset[str]:
    """Ids of the unpublished documents `viewer` may not read (`private`: doc id -> owner)."""
    if viewer.sees_all:
        return frozenset()
    return frozenset(d for d, owner in private.items() if not viewer.owns(owner))
