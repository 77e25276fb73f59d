"""Logins that cannot be used to guess passwords: argon2id hashes (old scrypt lines still work and
are reported), the same work for unknown users, backoff per account and per address, and the
hash checked off the server's event loop. Nothing here measures time: the backoff runs on a
fake clock, and work is counted."""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import threading
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.web.auth import (
    CLIENT_ADDRESS,
    LoginGuard,
    hash_password,
    legacy_users,
    load_accounts,
    make_checker,
    needs_rehash,
    verify_password,
)

from .conftest import make_settings

PASSWORD = "mat-khau-dai"


def scrypt_line(password: str) -> str:
    """A hash as the first release wrote it (`scrypt$salt$hash`)."""
    salt = bytes(range(16))
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def counting(calls: list[tuple[str, str]]):  # noqa: ANN201
    def verify(password: str, encoded: str) -> bool:
        calls.append((password, encoded))
        return verify_password(password, encoded)
    return verify


def run(check, user: str, password: str, address: str = "") -> bool:  # noqa: ANN001
    async def go() -> bool:
        CLIENT_ADDRESS.set(address)
        return await check(user, password)
    return asyncio.run(go())


def test_hashes_are_argon2id_with_their_parameters_inside() -> None:
    encoded = hash_password(PASSWORD)
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert verify_password(PASSWORD, encoded) and not verify_password(PASSWORD + "!", encoded)
    assert not needs_rehash(encoded) and needs_rehash(scrypt_line(PASSWORD))


def test_old_scrypt_lines_still_log_in_and_are_reported(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    from assistant.cli.serve import _auth_checker

    users = tmp_path / "users"
    users.write_text(f"cu:{scrypt_line(PASSWORD)}:Đại Sơn\nmoi:{hash_password(PASSWORD)}:*\n", encoding="utf-8")
    accounts = load_accounts(users)
    assert legacy_users(accounts) == ["cu"]
    check, communes = _auth_checker("0.0.0.0", users)
    assert communes == {"cu": "Đại Sơn", "moi": "*"}
    err = capsys.readouterr().err
    assert "scrypt" in err and "cu" in err and "assistant hash-password" in err
    assert run(check, "cu", PASSWORD) and run(check, "moi", PASSWORD)
    assert not run(check, "cu", "sai-mat-khau")


def test_an_unknown_user_costs_the_same_verification_as_a_wrong_password() -> None:
    calls: list[tuple[str, str]] = []
    real = hash_password(PASSWORD)
    check = make_checker({"canbo": real}, verify=counting(calls))
    assert not run(check, "khong-co-ai", PASSWORD)
    assert not run(check, "canbo", "sai")
    assert len(calls) == 2
    (_, dummy), (_, used) = calls
    assert used == real and dummy != real
    assert dummy.rsplit("$", 2)[0].split("$")[1:4] == real.rsplit("$", 2)[0].split("$")[1:4]  # same parameters


def test_wrong_passwords_are_slowed_down_then_refused_per_account() -> None:
    clock = Clock()
    calls: list[tuple[str, str]] = []
    guard = LoginGuard(free=3, base=1.0, cap=60.0, clock=clock)
    check = make_checker({"canbo": hash_password(PASSWORD)}, guard=guard, verify=counting(calls))
    for _ in range(3):
        assert not run(check, "canbo", "sai")
    assert guard.wait("canbo") == 0  # three free tries
    assert not run(check, "canbo", "sai")
    assert guard.wait("canbo") == 1.0
    # while it waits, even the right password is refused, and not even checked
    before = len(calls)
    assert not run(check, "canbo", PASSWORD)
    assert len(calls) == before
    clock.now += 1.0
    assert not run(check, "canbo", "sai")
    assert guard.wait("canbo") == 2.0  # doubled
    for _ in range(10):
        clock.now += guard.wait("canbo")
        run(check, "canbo", "sai")
    assert guard.wait("canbo") == 60.0  # capped
    clock.now += 60
    assert run(check, "canbo", PASSWORD)  # the right password after the wait
    assert guard.failures("canbo") == 0 and guard.wait("canbo") == 0


def test_one_address_guessing_many_accounts_is_slowed_down() -> None:
    clock = Clock()
    guard = LoginGuard(free=3, base=1.0, clock=clock)
    users = {f"u{i}": hash_password(PASSWORD) for i in range(2)}
    check = make_checker(users, guard=guard)
    for i in range(4):  # one wrong guess each for four names (two do not exist)
        assert not run(check, f"u{i}", "sai", address="10.0.0.9")
    assert guard.failures(address="10.0.0.9") == 4 and guard.wait("u9", "10.0.0.9") > 0
    assert not run(check, "u1", PASSWORD, address="10.0.0.9")  # refused from that address
    assert run(check, "u1", PASSWORD, address="10.0.0.7")  # the account itself is not blocked
    assert guard.failures(address="10.0.0.9") == 4  # a success elsewhere does not clear the address


def test_the_password_is_checked_off_the_event_loop() -> None:
    """While one check is hashing, the server's loop keeps serving: here another coroutine runs
    and releases the hash. Were the hash run on the loop, that coroutine could not run and the
    hash would give up waiting (and the login would fail)."""
    release = threading.Event()
    order: list[str] = []

    def slow_verify(password: str, encoded: str) -> bool:
        order.append("hash started")
        released = release.wait(timeout=30)
        order.append("hash done")
        return released and verify_password(password, encoded)

    check = make_checker({"canbo": hash_password(PASSWORD)}, verify=slow_verify)
    assert inspect.iscoroutinefunction(check)  # Gradio awaits coroutine functions only

    async def other_request() -> None:
        while "hash started" not in order:
            await asyncio.sleep(0.001)
        order.append("other request served")
        release.set()

    async def both() -> bool:
        ok, _ = await asyncio.gather(check("canbo", PASSWORD), other_request())
        return ok

    assert asyncio.run(both())
    assert order == ["hash started", "other request served", "hash done"]


def test_a_served_app_backs_off_by_account_and_sees_the_address(seed_index: Settings, tmp_path: Path) -> None:
    pytest.importorskip("gradio", reason="the web extra is not installed")
    client_mod = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    from assistant.web.app import build_app, launch

    from .test_web import _free_port

    clock = Clock()
    guard = LoginGuard(free=2, base=30.0, clock=clock)
    check = make_checker({"canbo": hash_password(PASSWORD)}, guard=guard)
    settings = make_settings(seed_index.index_dir)  # read only
    demo = build_app(settings)
    url = launch(demo, settings, host="127.0.0.1", port=_free_port(), auth=check, block=False, quiet=True)

    def login(password: str) -> bool:
        try:
            client_mod.Client(url, verbose=False, analytics_enabled=False, auth=("canbo", password))
        except Exception:  # noqa: BLE001 - gradio_client raises a plain Exception on a refused login
            return False
        return True

    try:
        assert not login("sai-1") and not login("sai-2") and not login("sai-3")
        assert guard.failures("canbo") == 3 and guard.failures(address="127.0.0.1") == 3
        assert not login(PASSWORD)  # refused while the account waits
        clock.now += guard.wait("canbo", "127.0.0.1")
        assert login(PASSWORD)
    finally:
        demo.close()
        demo.assistant_context.close()
