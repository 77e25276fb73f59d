"""The error every reader raises for a file that cannot be indexed."""

from __future__ import annotations

from pathlib import Path


class UnreadableFile(Exception):
    """A file that cannot be indexed; `reason` is a plain Vietnamese sentence for the user and
    `detail` the technical cause (an exception class and message), shown only with ASSISTANT_DEBUG."""

    def __init__(self, path: Path | str, reason: str, *, detail: str = "") -> None:
        super().__init__(f"{Path(path).name}: {reason}")
        self.path = Path(path)
        self.reason = reason
        self.detail = detail

    def explained(self, debug: bool = False) -> str:
        """The reason, with the technical detail appended in debug mode."""
        return f"{self.reason} [{self.detail}]" if debug and self.detail else self.reason
