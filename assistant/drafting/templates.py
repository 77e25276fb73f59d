"""Editable phrase templates for the composer: `prompts/draft/*.yaml`, one file per section/theme.

A template is a string with `{placeholders}`, or a list of alternative phrasings of the same
pattern. `Phrases.render` picks one alternative deterministically from a seed (the indicator
name, the observation…), so the same figures always give the same draft while different
items read a little differently.
"""

from __future__ import annotations

import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FILES = ("ket_qua", "ton_tai", "phuong_huong", "kien_nghi", "nhiem_vu", "nguyen_nhan", "goi_y")


class TemplateError(ValueError):
    """A phrase file that is missing or malformed; the message names the file and the key."""


@dataclass
class Phrases:
    """All phrase files, keyed by file stem ("ton_tai") then by the YAML keys."""

    data: dict[str, Any]
    folder: Path

    def get(self, path: str) -> Any:
        """The value at a dotted path: "ton_tai.headings.chi_tieu"."""
        node: Any = self.data
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                raise TemplateError(
                    f"{self._file(path)}: thiếu mục '{path.partition('.')[2]}'"
                )
            node = node[part]
        return node

    def has(self, path: str) -> bool:
        try:
            self.get(path)
        except TemplateError:
            return False
        return True

    def choices(self, path: str) -> list[str]:
        value = self.get(path)
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(x, str) and x.strip() for x in items):
            raise TemplateError(
                f"{self._file(path)}: mục '{path.partition('.')[2]}' phải là một câu hoặc "
                "danh sách câu"
            )
        return items

    def pick(self, path: str, seed: str = "") -> str:
        """One phrasing of the pattern at `path`, chosen by a stable hash of `seed`."""
        items = self.choices(path)
        return items[zlib.crc32(f"{path}|{seed}".encode()) % len(items)]

    def render(
        self, path: str, seed: str = "", *, adapt: Callable[[str], str] | None = None,
        **fields: object,
    ) -> str:  # fmt: skip
        """Fill the chosen phrasing; an unknown placeholder is an error naming the file.

        `adapt` rewrites the phrasing itself (not what fills it) to the commune's words.
        """
        template = self.pick(path, seed)
        if adapt is not None:
            template = adapt(template)
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        except ValueError as exc:
            raise TemplateError(f"{self._file(path)}: '{path}': {exc}") from None
        missing = names - set(fields)
        if missing:
            raise TemplateError(
                f"{self._file(path)}: '{path.partition('.')[2]}' dùng chỗ điền "
                f"{{{sorted(missing)[0]}}}, không có ở đây (dùng được: {', '.join(sorted(fields))})"
            )
        return template.format(**fields)

    def _file(self, path: str) -> str:
        return str(self.folder / f"{path.partition('.')[0]}.yaml")


_CACHE: dict[tuple[str, tuple[float, ...]], Phrases] = {}


def phrases_dir(prompts_dir: Path) -> Path:
    """The folder of the phrase files inside the prompts folder (`settings.prompts_dir`)."""
    return Path(prompts_dir) / "draft"


def load_phrases(folder: Path) -> Phrases:
    """Read every phrase file of `folder` (`phrases_dir(settings.prompts_dir)`), cached until a file changes."""
    folder = Path(folder)
    paths = [folder / f"{name}.yaml" for name in FILES]
    for p in paths:
        if not p.is_file():
            raise TemplateError(f"{p}: không tìm thấy tệp mẫu câu")
    key = (str(folder), tuple(p.stat().st_mtime for p in paths))
    if key in _CACHE:
        return _CACHE[key]
    data: dict[str, Any] = {}
    for p in paths:
        try:
            loaded = yaml.safe_load(p.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise TemplateError(f"{p}: không đúng cú pháp YAML ({exc})") from None
        if not isinstance(loaded, dict):
            raise TemplateError(f"{p}: cần các mục như 'title:' ở đầu tệp")
        data[p.stem] = loaded
    phrases = Phrases(data, folder)
    _CACHE.clear()
    _CACHE[key] = phrases
    return phrases
