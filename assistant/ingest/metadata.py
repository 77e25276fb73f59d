"""Document metadata: a `<name>.meta.yaml` sidecar when present, otherwise read from the text."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

from assistant.ingest.guidance import detect_guidance
from assistant.text.normalize import nfc

SKIPPED_NAMES = {"readme.md", "manifest.md"}
_NAME = r"((?:[A-ZĐÂĂÊÔƠƯ][\wÀ-ỹ]*)(?:[ \t]+[A-ZĐÂĂÊÔƠƯ][\wÀ-ỹ]*){0,2})"
_COMMUNE_RES = [
    re.compile(r"(?:Ủy|Uỷ)\s+ban\s+nhân\s+dân\s+xã\s+" + _NAME),
    re.compile(r"UBND\s+xã\s+" + _NAME),
    re.compile(r"\bxã\s+" + _NAME),
]
_YEAR_RE = re.compile(r"\bnăm\s+(20\d\d)\b", re.IGNORECASE)


@dataclass
class DocumentMeta:
    commune: str = ""
    province: str = ""
    year: int | None = None
    kind: str = "report"  # report | guidance | other
    title: str = ""
    report_type: str = ""
    period: str = ""
    owner: str = ""  # the group (commune account) that uploaded it; "" for the shared corpus
    published: bool = True  # False: an unpublished draft, readable only by its owner's group
    uploaded_by: str = ""  # the account that uploaded it (then the commune is never read from the text)
    commune_set_by: str = ""  # the province staff account that named the commune of this upload
    # Guiding documents (kind: guidance): what their heading states.
    doc_type: str = ""  # "Kế hoạch", "Nghị quyết", "Quyết định" …
    number: str = ""  # số/ký hiệu, "02-KH/BCĐTW"
    issuer: str = ""  # the issuing body, as written
    issued: str = ""  # date of issue, ISO "2025-03-14"

    def to_dict(self) -> dict:
        return asdict(self)


class MetadataError(ValueError):
    """A sidecar metadata file that cannot be used."""


def sidecar_path(path: Path) -> Path | None:
    for candidate in (path.with_suffix(".meta.yaml"), path.parent / (path.name + ".meta.yaml")):
        if candidate.exists():
            return candidate
    return None


def is_sidecar(path: Path) -> bool:
    return path.name.endswith((".meta.yaml", ".meta.yml"))


def read_sidecar(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MetadataError(f"{path.name}: không phải YAML hợp lệ") from exc
    if not isinstance(data, dict):
        raise MetadataError(f"{path.name}: cần các dòng 'khoá: giá trị'")
    allowed = set(DocumentMeta.__dataclass_fields__)
    unknown = set(data) - allowed
    if unknown:
        raise MetadataError(f"{path.name}: trường không biết: {', '.join(sorted(map(str, unknown)))} "
                            f"(dùng {', '.join(sorted(allowed))})")
    if "published" in data and not isinstance(data["published"], bool):
        raise MetadataError(f"{path.name}: published: cần true hoặc false, không phải '{data['published']}'")
    if data.get("year") is not None:
        try:
            data["year"] = int(data["year"])
        except (TypeError, ValueError) as exc:
            raise MetadataError(f"{path.name}: year: '{data['year']}' không phải là năm") from exc
    return {k: (nfc(str(v)) if isinstance(v, str) else v) for k, v in data.items() if v is not None}


def write_sidecar(path: Path, data: dict) -> Path:
    """Write (or update) the `<name>.meta.yaml` beside a document; keys must be DocumentMeta fields."""
    unknown = set(data) - set(DocumentMeta.__dataclass_fields__)
    if unknown:
        raise MetadataError(f"trường không biết: {', '.join(sorted(unknown))}")
    target = sidecar_path(path) or path.parent / (path.name + ".meta.yaml")
    current = read_sidecar(target) if target.exists() else {}
    current.update({k: v for k, v in data.items() if v is not None and v != ""})
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(yaml.safe_dump(current, allow_unicode=True, sort_keys=True), encoding="utf-8")
    tmp.replace(target)
    return target


def guess_commune(text: str) -> str:
    """The commune a report is about: the name most often written after "xã"/"UBND xã"."""
    for part in (text[:20000], text):  # the heading first; some reports name the commune only later
        for rx in _COMMUNE_RES:
            names = Counter(m.group(1).strip() for m in rx.finditer(part))
            if names:
                name, _ = names.most_common(1)[0]
                return name
    return ""


def guess_year(text: str) -> int | None:
    years = Counter(int(y) for y in _YEAR_RE.findall(text[:30000]))
    return years.most_common(1)[0][0] if years else None


def guess_title(blocks: list[str], fallback: str) -> str:
    for i, b in enumerate(blocks[:40]):
        if b.strip().upper().startswith("BÁO CÁO"):
            rest = b.strip()[7:].strip(" :")
            if not rest and i + 1 < len(blocks):
                rest = blocks[i + 1]
            return f"Báo cáo {rest}".strip()[:200]
    return fallback


def resolve_metadata(path: Path, text: str, blocks: list[str], *, overrides: dict | None = None) -> DocumentMeta:
    """Sidecar first, then what the text says, then the explicit overrides.

    A text whose heading is that of a guiding document (see `ingest.guidance`) is `kind: guidance`
    with its type, number, issuer and date, unless the sidecar says another kind.
    """
    data: dict = {}
    sc = sidecar_path(path)
    if sc is not None:
        data.update(read_sidecar(sc))
    data.update({k: v for k, v in (overrides or {}).items() if v is not None and v != ""})
    if data.get("kind", "guidance") == "guidance":
        info = detect_guidance(blocks)
        if info is not None:
            data.setdefault("kind", "guidance")
            data.update({k: v for k, v in info.metadata().items() if v and not data.get(k)})
            if data.get("year") is None and info.issued:
                data["year"] = int(info.issued[:4])
    meta = DocumentMeta(**data)
    # A commune account's upload speaks for the account's commune only: the commune the upload
    # recorded, never one read from the text (province staff, owner "*", may upload for any).
    trusted_text = not meta.uploaded_by or meta.owner == "*"
    if not meta.commune and meta.kind == "report" and trusted_text:
        meta.commune = guess_commune(text)
    if meta.year is None:
        meta.year = guess_year(text)
    if not meta.title:
        meta.title = guess_title(blocks, path.stem)
    return meta


def make_doc_id(path: Path) -> str:
    """A readable, stable id: the file name ("003_7619b87458e9843f.txt", "bao_cao.pdf")."""
    name = re.sub(r"[^\w.-]+", "_", nfc(path.name), flags=re.UNICODE).strip("_") or "doc"
    return name[-100:]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes, read in pieces (a huge file is never held in memory)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()
