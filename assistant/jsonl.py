"""JSON-lines input (question files, batches) with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator


class JsonlError(ValueError):
    """A line that is not a JSON object."""


def read_jsonl(lines: Iterable[str], name: str) -> Iterator[tuple[int, dict]]:
    """(line number, object) for every non-blank line; a bad line raises JsonlError."""
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"{name}: line {i}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise JsonlError(f"{name}: line {i}: expected a JSON object")
        yield i, row
