"""Errors a user can act on, shared by every capability (the CLI and the web app show them plainly)."""

from __future__ import annotations


class MissingExtra(RuntimeError):
    """An optional backend whose pip extra is not installed; the message names the extra."""

    def __init__(self, what: str, extra: str) -> None:
        super().__init__(f"{what} cần gói cài thêm: pip install -e \".[{extra}]\" "
                         f"(needs the optional extra '{extra}')")
        self.extra = extra
