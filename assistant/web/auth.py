"""Logins for the web app: the password file, argon2id hashes, and a login check that cannot be
used to guess passwords or to find out which accounts exist.

The file named by `ASSISTANT_AUTH_FILE` has lines `user:<hash>[:commune]`; make one with
`assistant hash-password USER --commune "Đại Sơn"`. The hash is argon2id (argon2-cffi) with its
parameters inside the hash string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`), so stronger
parameters later still verify old lines. Lines from before (`scrypt$salt$hash`) are still
accepted; `legacy_users` names them so the start-up can ask for new hashes. The commune groups
accounts: users of one commune share their unpublished drafts (see `assistant.index.access`);
`*` marks province staff. Lines starting with "#" and blank lines are ignored.

The check given to Gradio (`make_checker`) is a coroutine function, so Gradio awaits it and the
password hash runs in a worker thread, never on the server's event loop. An unknown user name is
verified against a dummy hash with the same parameters (the same work as a wrong password), and
failures slow further attempts down per account and per connecting address (`LoginGuard`).
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import logging
import secrets
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

LEGACY_SCHEME = "scrypt"
_N, _R, _P = 2**14, 8, 1  # the scrypt parameters of the first release (verification only)
# argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane): about 20-50 ms on a small server
ARGON2 = {"time_cost": 2, "memory_cost": 19456, "parallelism": 1}


class AuthFileError(ValueError):
    """An auth file that cannot be used; the message names the file, the line and the reason."""


def _hasher():  # noqa: ANN202 - argon2.PasswordHasher
    from argon2 import PasswordHasher

    return PasswordHasher(**ARGON2)


def hash_password(password: str) -> str:
    """An argon2id hash of `password` (random salt; the parameters are inside the string)."""
    return _hasher().hash(password)


def verify_password(password: str, encoded: str) -> bool:
    """Whether `password` matches an encoded hash (argon2id, or a legacy `scrypt$` line)."""
    if encoded.startswith("$argon2"):
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return _hasher().verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False
    try:
        scheme, salt_hex, hash_hex = encoded.split("$")
        if scheme != LEGACY_SCHEME:
            return False
        salt, want = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    got = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=len(want))
    return hmac.compare_digest(got, want)


def needs_rehash(encoded: str) -> bool:
    """Whether a stored hash is a legacy scrypt line or argon2 with weaker parameters than today's."""
    if not encoded.startswith("$argon2"):
        return True
    from argon2.exceptions import InvalidHashError

    try:
        return _hasher().check_needs_rehash(encoded)
    except InvalidHashError:
        return True


def _well_formed(encoded: str) -> bool:
    if encoded.startswith("$argon2id$"):
        return encoded.count("$") == 5
    return encoded.startswith(f"{LEGACY_SCHEME}$") and encoded.count("$") == 2


def load_auth_file(path: str | Path) -> dict[str, str]:
    """Users and their encoded hashes; AuthFileError when the file is missing or malformed."""
    return {user: encoded for user, (encoded, _) in load_accounts(path).items()}


def load_accounts(path: str | Path) -> dict[str, tuple[str, str]]:
    """Users with (encoded hash, commune); AuthFileError when the file is missing or malformed."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise AuthFileError(f"ASSISTANT_AUTH_FILE={p}: không đọc được tệp ({exc.strerror or exc})") from exc
    users: dict[str, tuple[str, str]] = {}
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        user, sep, rest = line.partition(":")
        encoded, _, commune = rest.partition(":")
        user, encoded = user.strip(), encoded.strip()
        if not sep or not user or not _well_formed(encoded):
            raise AuthFileError(f"{p.name}: dòng {i}: cần dạng `tên:mã-băm[:xã]` "
                                "(tạo bằng `assistant hash-password TÊN`)")
        if user in users:
            raise AuthFileError(f"{p.name}: dòng {i}: tài khoản '{user}' bị ghi hai lần")
        users[user] = (encoded, " ".join(unicodedata.normalize("NFC", commune).split()))
    if not users:
        raise AuthFileError(f"{p.name}: không có dòng `tên:mã-băm` nào (tạo bằng `assistant hash-password TÊN`)")
    return users


def legacy_users(accounts: dict[str, tuple[str, str]] | dict[str, str]) -> list[str]:
    """Accounts whose hash should be made again with `assistant hash-password` (scrypt lines)."""
    return sorted(u for u, v in accounts.items() if needs_rehash(v[0] if isinstance(v, tuple) else v))


def legacy_notice(users: list[str]) -> str:
    """The start-up note asking for new hashes, in Vietnamese ("" when there is nothing to do)."""
    if not users:
        return ""
    return (f"Cảnh báo: {len(users)} tài khoản dùng mã băm mật khẩu kiểu cũ (scrypt): {', '.join(users)}. "
            "Vẫn đăng nhập được, nhưng hãy tạo dòng mới bằng `assistant hash-password TÊN` "
            "(argon2id) rồi thay vào tệp ASSISTANT_AUTH_FILE.")


# ------------------------------------------------------------------ slowing down guessing


@dataclass
class _Failures:
    count: int = 0
    until: float = 0.0  # no login is checked before this time (monotonic seconds)
    last: float = 0.0


class LoginGuard:
    """Backoff after failed logins, per account and per connecting address.

    The first `free` failures cost nothing; each further one doubles the wait before the next
    attempt is even checked (`base` seconds, at most `cap`). While a key waits, every login for
    it is refused without checking the password. A success clears the account's count (not the
    address's: an attacker's own account must not reset the address that is guessing others'). A
    key unused for `forget_after` seconds starts over; at most `max_keys` keys are remembered.
    """

    def __init__(self, *, free: int = 3, base: float = 1.0, cap: float = 900.0,
                 forget_after: float = 3600.0, max_keys: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free, self.base, self.cap = free, base, cap
        self.forget_after, self.max_keys, self.clock = forget_after, max_keys, clock
        self._keys: OrderedDict[tuple[str, str], _Failures] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys_of(user: str, address: str) -> list[tuple[str, str]]:
        keys = [("tài khoản", user)]
        if address:
            keys.append(("địa chỉ", address))
        return keys

    def _get(self, key: tuple[str, str], now: float) -> _Failures | None:
        f = self._keys.get(key)
        if f is not None and now - f.last > self.forget_after and now >= f.until:
            del self._keys[key]
            return None
        return f

    def wait(self, user: str, address: str = "") -> float:
        """Seconds before a login for `user` from `address` will be checked again (0: now)."""
        now = self.clock()
        with self._lock:
            waits = [f.until - now for k in self._keys_of(user, address) if (f := self._get(k, now))]
        return max([0.0, *waits])

    def failed(self, user: str, address: str = "") -> None:
        now = self.clock()
        with self._lock:
            for key in self._keys_of(user, address):
                f = self._get(key, now) or _Failures()
                f.count += 1
                f.last = now
                if f.count > self.free:
                    f.until = now + min(self.cap, self.base * 2 ** (f.count - self.free - 1))
                self._keys[key] = f
                self._keys.move_to_end(key)
            while len(self._keys) > self.max_keys:
                self._keys.popitem(last=False)

    def succeeded(self, user: str, address: str = "") -> None:
        with self._lock:
            self._keys.pop(("tài khoản", user), None)

    def failures(self, user: str = "", address: str = "") -> int:
        """Failures counted for an account (or, with `address` only, for an address)."""
        key = ("tài khoản", user) if user else ("địa chỉ", address)
        with self._lock:
            f = self._get(key, self.clock())
            return f.count if f else 0


# ------------------------------------------------------------------ the check Gradio awaits

# The connecting address of the login request being handled (set by `LoginAddress`).
CLIENT_ADDRESS: contextvars.ContextVar[str] = contextvars.ContextVar("login_client_address", default="")


class LoginAddress:
    """ASGI middleware that makes a login request's connecting address known to the check
    (Gradio calls the check with the user name and password only). The address is the TCP peer:
    behind a reverse proxy every login shares the proxy's address, and the per-account backoff
    still applies; forwarded headers are not trusted, since any client can write them."""

    def __init__(self, app) -> None:  # noqa: ANN001 - an ASGI app
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        if scope.get("type") != "http" or not str(scope.get("path", "")).rstrip("/").endswith("/login"):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = CLIENT_ADDRESS.set(str(client[0]) if client else "")
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT_ADDRESS.reset(token)


def server_options() -> dict:
    """What `gradio.Blocks.launch(app_kwargs=…)` needs for the check to see addresses."""
    from starlette.middleware import Middleware

    return {"middleware": [Middleware(LoginAddress)]}


LoginCheck = Callable[[str, str], Awaitable[bool]]


def make_checker(users: dict[str, str], *, guard: LoginGuard | None = None,
                 verify: Callable[[str, str], bool] = verify_password, workers: int = 2) -> LoginCheck:
    """A Gradio `auth=` coroutine function checking a login against the loaded users.

    The hash runs in a worker thread (at most `workers` at once: each argon2 check takes 19 MiB),
    so other requests go on meanwhile. An unknown user is verified against a dummy hash, and a
    refused login counts towards `guard`'s backoff. The guard is reachable as `check.guard`.
    """
    from anyio import to_thread

    guard = guard or LoginGuard()
    dummy = hash_password(secrets.token_urlsafe(24))  # same parameters as today's real hashes
    slots = threading.BoundedSemaphore(workers)  # waiting happens in worker threads, not the loop
    reported: set[str] = set()

    def verify_one(username: str, password: str) -> bool:
        encoded = users.get(username)
        with slots:
            ok = verify(password, encoded if encoded is not None else dummy)
        if ok and encoded is not None and username not in reported and needs_rehash(encoded):
            reported.add(username)
            log.warning("tài khoản %s dùng mã băm kiểu cũ; hãy tạo lại bằng `assistant hash-password %s`",
                        username, username)
        return ok and encoded is not None

    async def check(username: str, password: str) -> bool:
        address = CLIENT_ADDRESS.get()
        wait = guard.wait(username, address)
        if wait > 0:
            log.warning("đăng nhập %r từ %s bị từ chối: còn phải chờ %.0f giây sau các lần sai",
                        username, address or "?", wait)
            return False
        ok = await to_thread.run_sync(verify_one, username, password)
        if ok:
            guard.succeeded(username, address)
        else:
            guard.failed(username, address)
            log.info("đăng nhập sai: %r từ %s", username, address or "?")
        return ok

    check.guard = guard  # type: ignore[attr-defined]
    return check
