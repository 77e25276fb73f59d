"""Password file for the web app: lines `user:scrypt$<salt hex>$<hash hex>[:commune]` (no extra deps).

Make a line with `assistant hash-password USER --commune "Đại Sơn"` and put it in the file
named by `ASSISTANT_AUTH_FILE`. The commune groups accounts: users of one commune share their
unpublished drafts, and no other commune reads them (see `assistant.access`); `*` marks
province staff, who read and manage every document. Without a commune a user is a group of
one. Lines starting with "#" and blank lines are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import unicodedata
from pathlib import Path

SCHEME = "scrypt"
_N, _R, _P, _LEN = 2**14, 8, 1, 32


class AuthFileError(ValueError):
    """An auth file that cannot be used; the message names the file, the line and the reason."""


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """`scrypt$<salt>$<hash>` for a password (salt: 16 random bytes unless given)."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return f"{SCHEME}${salt.hex()}${digest.hex()}"


def verify_password(password: str, encoded: str) -> bool:
    """Whether `password` matches an encoded hash (constant-time comparison)."""
    try:
        scheme, salt_hex, hash_hex = encoded.split("$")
        if scheme != SCHEME:
            return False
        salt, want = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=len(want))
    return hmac.compare_digest(got, want)


def load_auth_file(path: str | Path) -> dict[str, str]:
    """Users and their encoded hashes; AuthFileError when the file is missing or malformed."""
    return {user: encoded for user, (encoded, _) in load_accounts(path).items()}


def load_accounts(path: str | Path) -> dict[str, tuple[str, str]]:
    """Users with (encoded hash, commune); AuthFileError when the file is missing or malformed."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuthFileError(f"ASSISTANT_AUTH_FILE={p}: cannot read the file ({exc.strerror or exc})") from exc
    users: dict[str, tuple[str, str]] = {}
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, rest = line.partition(":")
        encoded, _, commune = rest.partition(":")
        user, encoded = user.strip(), encoded.strip()
        if not sep or not user or not encoded.startswith(f"{SCHEME}$") or encoded.count("$") != 2:
            raise AuthFileError(f"{p.name}: line {i}: expected `user:{SCHEME}$salt$hash[:commune]` "
                                "(make one with `assistant hash-password USER`)")
        if user in users:
            raise AuthFileError(f"{p.name}: line {i}: user '{user}' is listed twice")
        users[user] = (encoded, " ".join(unicodedata.normalize("NFC", commune).split()))
    if not users:
        raise AuthFileError(f"{p.name}: no `user:hash` lines (make one with `assistant hash-password USER`)")
    return users


def make_checker(users: dict[str, str]):  # noqa: ANN201 - Callable[[str, str], bool]
    """A Gradio `auth=` callable that checks a login against the loaded users."""

    def check(username: str, password: str) -> bool:
        encoded = users.get(username)
        return encoded is not None and verify_password(password, encoded)

    return check
