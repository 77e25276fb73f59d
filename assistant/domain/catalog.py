"""Indicator catalog: targets from guidance documents, passages for the index (name matching is
in `indicator_match`, re-exported here)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.domain.indicator_match import DEFAULT_MIN_SCORE, indicator_by_id, match_indicator
from assistant.text.normalize import fold, nfc

PILLAR_LABELS: dict[str, str] = {
    "nhan_luc": "Nhân lực số",
    "ha_tang": "Hạ tầng số",
    "du_lieu": "Dữ liệu số",
    "an_toan_thong_tin": "An toàn thông tin",
    "chinh_quyen_so": "Chính quyền số",
    "kinh_te_so": "Kinh tế số",
    "xa_hoi_so": "Xã hội số",
    "kinh_phi": "Kinh phí",
    "lanh_dao": "Lãnh đạo, chỉ đạo",
}
LEVELS = ("quốc gia", "tỉnh", "xã")
CONFIDENCE_LABELS: dict[str, str] = {"high": "cao", "medium": "trung bình", "low": "thấp"}
UNDATED = ("hằng năm", "không ghi thời hạn")
LOW_CONFIDENCE_NOTE = (
    "Mức độ tin cậy thấp nghĩa là con số mới thấy trong bản tóm tắt; cần đối chiếu với văn bản "
    "gốc trước khi trình bày như một chỉ tiêu bắt buộc."
)

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_INDICATOR_KEYS = {"id", "name", "aliases", "pillar", "unit", "targets"}
_TARGET_KEYS = {"value", "deadline", "level", "source", "confidence", "source_url", "note"}


__all__ = [
    "CONFIDENCE_LABELS",
    "DEFAULT_MIN_SCORE",
    "LEVELS",
    "LOW_CONFIDENCE_NOTE",
    "PILLAR_LABELS",
    "UNDATED",
    "CatalogError",
    "Indicator",
    "Target",
    "catalog_at",
    "catalog_passages",
    "indicator_by_id",
    "load_catalog",
    "match_indicator",
    "pillar_label",
    "targets_for",
]


class CatalogError(ValueError):
    """The indicator catalog file is missing or malformed."""


@dataclass(frozen=True)
class Target:
    """One target value for an indicator, with its deadline and provenance."""

    value_raw: str
    year: int | None  # year of the deadline; None for yearly or undated targets
    level: str
    source: str
    confidence: str
    source_url: str
    note: str = ""
    deadline: str = ""  # deadline as written: "2030", "31/12/2025", "hằng năm"

    @property
    def confidence_label(self) -> str:
        """Vietnamese label of the confidence (cao, trung bình, thấp)."""
        return CONFIDENCE_LABELS[self.confidence]

    @property
    def deadline_text(self) -> str:
        """Deadline phrase for prose: "đến năm 2030", "đến 31/12/2025", "hằng năm"."""
        if self.year is None:
            return self.deadline or "không ghi thời hạn"
        if _DATE_RE.match(self.deadline):
            return f"đến {self.deadline}"
        return f"đến năm {self.year}"


@dataclass
class Indicator:
    """One indicator of the catalog with its names and its targets."""

    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    pillar: str = ""
    unit: str = "%"
    targets: list[Target] = field(default_factory=list)


def pillar_label(pillar_id: str) -> str:
    """Vietnamese label of a pillar id ("chinh_quyen_so" -> "Chính quyền số")."""
    try:
        return PILLAR_LABELS[pillar_id]
    except KeyError:
        raise ValueError(
            f"unknown pillar {pillar_id!r}; expected one of {sorted(PILLAR_LABELS)}"
        ) from None


# ---------------------------------------------------------------- loading


_LOADED: dict[Path, tuple[float, list[Indicator]]] = {}


def catalog_at(path: Path) -> list[Indicator]:
    """The catalog at `path` (`settings.catalog_path`), read once and again only when it changes."""
    path = Path(path).resolve()
    mtime = path.stat().st_mtime if path.exists() else -1.0
    hit = _LOADED.get(path)
    if hit is None or hit[0] != mtime:
        hit = _LOADED[path] = (mtime, load_catalog(path))
    return hit[1]


def load_catalog(path: Path) -> list[Indicator]:
    """Read and validate a catalog YAML file (see corpus/guidance/indicators.yaml)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"{path}: cannot read catalog: {exc}") from exc
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: invalid YAML: {exc}") from exc
    if not isinstance(raw, list) or not raw:
        raise CatalogError(f"{path}: the catalog must be a non-empty list of indicators")
    seen: set[str] = set()
    catalog: list[Indicator] = []
    for i, entry in enumerate(raw):
        ind = _parse_indicator(entry, f"{path}: entry #{i + 1}")
        if ind.id in seen:
            raise CatalogError(f"{path}: entry #{i + 1} (id={ind.id}): field 'id': duplicate id")
        seen.add(ind.id)
        catalog.append(ind)
    return catalog


def _text(value: Any, where: str, fld: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: field '{fld}': must be a non-empty string (got {value!r})")
    return nfc(value).strip()


def _parse_indicator(entry: Any, where: str) -> Indicator:
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: must be a mapping with fields {sorted(_INDICATOR_KEYS)}")
    if isinstance(entry.get("id"), str):
        where = f"{where} (id={entry['id']})"
    unknown = set(entry) - _INDICATOR_KEYS
    if unknown:
        raise CatalogError(f"{where}: field '{sorted(unknown)[0]}': unknown field")
    ind_id = _text(entry.get("id"), where, "id")
    if not _ID_RE.match(ind_id):
        raise CatalogError(f"{where}: field 'id': must be snake_case ascii (got {ind_id!r})")
    aliases = entry.get("aliases") or []
    if not isinstance(aliases, list):
        raise CatalogError(f"{where}: field 'aliases': must be a list of strings")
    pillar = _text(entry.get("pillar"), where, "pillar")
    if pillar not in PILLAR_LABELS:
        raise CatalogError(f"{where}: field 'pillar': {pillar!r} not in {sorted(PILLAR_LABELS)}")
    targets = entry.get("targets")
    if not isinstance(targets, list) or not targets:
        raise CatalogError(f"{where}: field 'targets': must be a non-empty list")
    return Indicator(
        id=ind_id,
        name=_text(entry.get("name"), where, "name"),
        aliases=[_text(a, where, f"aliases[{k}]") for k, a in enumerate(aliases)],
        pillar=pillar,
        unit=_text(entry.get("unit"), where, "unit"),
        targets=[_parse_target(t, where, k) for k, t in enumerate(targets)],
    )


def _parse_target(entry: Any, where: str, k: int) -> Target:
    pre = f"targets[{k}]"
    if not isinstance(entry, dict):
        raise CatalogError(f"{where}: field '{pre}': must be a mapping")
    unknown = set(entry) - _TARGET_KEYS
    if unknown:
        raise CatalogError(f"{where}: field '{pre}.{sorted(unknown)[0]}': unknown field")
    year, deadline = _parse_deadline(entry.get("deadline"), where, f"{pre}.deadline")
    level = _text(entry.get("level"), where, f"{pre}.level")
    if level not in LEVELS:
        raise CatalogError(f"{where}: field '{pre}.level': {level!r} not in {list(LEVELS)}")
    confidence = _text(entry.get("confidence"), where, f"{pre}.confidence")
    if confidence not in CONFIDENCE_LABELS:
        raise CatalogError(
            f"{where}: field '{pre}.confidence': {confidence!r} not in {list(CONFIDENCE_LABELS)}"
        )
    return Target(
        value_raw=_text(entry.get("value"), where, f"{pre}.value"),
        year=year,
        level=level,
        source=_text(entry.get("source"), where, f"{pre}.source"),
        confidence=confidence,
        source_url=_text(entry.get("source_url"), where, f"{pre}.source_url"),
        note=" ".join(_text(entry.get("note"), where, f"{pre}.note", required=False).split()),
        deadline=deadline,
    )


def _parse_deadline(value: Any, where: str, fld: str) -> tuple[int | None, str]:
    if isinstance(value, int) and not isinstance(value, bool):
        year, text = value, str(value)
    elif isinstance(value, str) and nfc(value).strip() in UNDATED:
        return None, nfc(value).strip()
    elif isinstance(value, str) and (m := _DATE_RE.match(value.strip())):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            raise CatalogError(f"{where}: field '{fld}': invalid date {value!r}")
        text = value.strip()
    elif isinstance(value, str) and value.strip().isdigit():
        year, text = int(value.strip()), value.strip()
    else:
        raise CatalogError(
            f"{where}: field '{fld}': expected a year, 'dd/mm/yyyy' or one of {list(UNDATED)} "
            f"(got {value!r})"
        )
    if not 2000 <= year <= 2100:
        raise CatalogError(f"{where}: field '{fld}': year {year} out of range")
    return year, text


# ---------------------------------------------------------------- targets by year


def _deadline_key(t: Target) -> tuple[int, int, int]:
    m = _DATE_RE.match(t.deadline)
    month_day = (int(m.group(2)), int(m.group(1))) if m else (12, 31)
    return (t.year if t.year is not None else 0, *month_day)


def targets_for(indicator: Indicator, year: int | None = None) -> list[Target]:
    """Targets that apply to `year`: the nearest deadline year ≥ year, else the latest; plus yearly ones.

    With `year=None`, all targets ordered by deadline (undated first).
    """
    if year is None:
        return sorted(indicator.targets, key=_deadline_key)
    dated = [t for t in indicator.targets if t.year is not None]
    undated = [t for t in indicator.targets if t.year is None]
    if not dated:
        return undated
    upcoming = [t.year for t in dated if t.year is not None and t.year >= year]
    chosen_year = min(upcoming) if upcoming else max(t.year for t in dated if t.year is not None)
    chosen = [t for t in dated if t.year == chosen_year]
    return sorted(chosen, key=_deadline_key) + undated


# ---------------------------------------------------------------- passages


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")


def _target_line(t: Target, *, with_source: bool, with_note: bool = True) -> str:
    where = f"cấp {t.level}, nguồn: {t.source}, " if with_source else f"cấp {t.level}, "
    line = f"{t.value_raw}, {t.deadline_text} ({where}độ tin cậy: {t.confidence_label})."
    return f"{line} {t.note}" if t.note and with_note else line


def _low_sentence(what: str, names: Iterable[str]) -> str:
    """The warning for low-confidence targets; `what` introduces the list of `names`."""
    names = list(dict.fromkeys(names))
    if not names:
        return ""
    return f"Lưu ý: {what} {'; '.join(names)} có độ tin cậy thấp. {LOW_CONFIDENCE_NOTE}"


def _urls_sentence(targets: Iterable[Target]) -> str:
    urls = list(dict.fromkeys(t.source_url for t in targets))
    return "Nơi xem số liệu: " + "; ".join(urls) + "."


def _indicator_text(ind: Indicator) -> str:
    lines = [f"Chỉ tiêu: {ind.name} (trụ cột {pillar_label(ind.pillar)}; đơn vị: {ind.unit})."]
    if ind.aliases:
        lines.append("Cách gọi khác: " + "; ".join(ind.aliases) + ".")
    lines.append("Mục tiêu:")
    targets = targets_for(ind)
    lines.extend("- " + _target_line(t, with_source=True) for t in targets)
    low = _low_sentence("mục tiêu theo", (t.source for t in targets if t.confidence == "low"))
    if low:
        lines.append(low)
    lines.append(_urls_sentence(targets))
    return "\n".join(lines)


def catalog_passages(catalog: Sequence[Indicator]) -> list[dict[str, str]]:
    """Indexable passages: one per indicator, then one per source document grouping its targets."""
    passages: list[dict[str, str]] = []
    by_source: dict[str, list[tuple[Indicator, Target]]] = {}
    for ind in catalog:
        passages.append(
            {
                "id": f"chi_tieu:{ind.id}",
                "title": ind.name,
                "section": f"Chỉ tiêu > {pillar_label(ind.pillar)} > {ind.name}",
                "text": _indicator_text(ind),
            }
        )
        for t in targets_for(ind):
            by_source.setdefault(t.source, []).append((ind, t))
    for source, items in by_source.items():
        lines = [f"Các mục tiêu theo {source} trong danh mục chỉ tiêu chuyển đổi số:"]
        lines.extend(
            f"- {ind.name}: " + _target_line(t, with_source=False, with_note=False)
            for ind, t in items
        )
        targets = [t for _, t in items]
        low = _low_sentence(
            "mục tiêu của chỉ tiêu", (i.name for i, t in items if t.confidence == "low")
        )
        if low:
            lines.append(low)
        lines.append(_urls_sentence(targets))
        passages.append(
            {
                "id": f"nguon:{_slug(source)}",
                "title": f"Chỉ tiêu theo {source}",
                "section": f"Chỉ tiêu > Nguồn > {source}",
                "text": "\n".join(lines),
            }
        )
    return passages
