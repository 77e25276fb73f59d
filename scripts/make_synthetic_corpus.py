"""Generate N synthetic commune reports from the seed reports' sections (for scale benchmarks).

Usage: python scripts/make_synthetic_corpus.py N OUTDIR [--seed 7] [--year 2025]

Each report takes one seed as its skeleton (preamble, parts, Roman-numbered sections), keeps or
drops its numbered topics, swaps some topics for the same topic of another seed, shuffles a few,
renames the commune and the province, and perturbs every figure consistently inside the report
(the same written figure gets the same new value; percentages stay within 0–100 %, ratios keep
numerator ≤ denominator; dates, years and document numbers are left alone). Text is re-wrapped
at about 80 characters like the extracted seeds, and each report gets a `.meta.yaml` sidecar.
The output is synthetic: it is for measuring speed and memory, never for answering questions.
"""

from __future__ import annotations

import argparse
import random
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.ingest.chunking import heading_type
from assistant.ingest.cleaning import to_blocks
from assistant.settings import REPO_DIR
from assistant.text.normalize import fold
from assistant.text.vn_numbers import find_numbers, format_vn

SEEDS = REPO_DIR / "corpus" / "reports"

FIRST = ("An Bình Cát Cẩm Châu Đại Đông Đức Gia Hà Hải Hiệp Hòa Hồng Hưng Hương Kim Lạc Liên "
         "Long Lộc Minh Mỹ Nam Nghĩa Ngọc Nhân Phong Phú Phúc Phước Quang Quảng Quế Sơn Tam Tân "
         "Tây Thạch Thái Thanh Thạnh Thịnh Thuận Thượng Tiên Trung Trường Vân Vĩnh Xuân Yên").split()
SECOND = ("An Bình Cường Điền Định Đông Đức Giang Hà Hải Hạnh Hiệp Hòa Hội Hưng Khánh Lâm Lập "
          "Lợi Long Lộc Lương Mỹ Nguyên Nhuận Phong Phú Phúc Phước Quý Sơn Tâm Tân Thành Thịnh "
          "Thọ Thuận Thủy Tiến Trạch Trung Tường Vinh Xá Xuân Yên").split()
PROVINCES = [
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa",
    "Nghệ An", "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ",
    "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi",
    "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh",
    "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
]
# Topics of numbered sections, by words of the folded heading; a topic can be swapped across seeds.
TOPICS = [
    ("ha_tang", "ha tang"), ("nhan_luc", "nhan luc"), ("du_lieu", "du lieu"),
    ("an_toan", "an toan"), ("chinh_quyen", "chinh quyen"), ("kinh_te", "kinh te"),
    ("xa_hoi", "xa hoi"), ("kinh_phi", "kinh phi"), ("tuyen_truyen", "tuyen truyen"),
    ("lanh_dao", "lanh dao"), ("the_che", "the che"), ("ton_tai", "han che"),
    ("kho_khan", "kho khan"), ("muc_tieu", "muc tieu"), ("de_xuat", "de xuat"),
]
_N1_RE = re.compile(r"^\d{1,2}\.\s+")
# A number right after these words names something ("Đề án 06", "Nghị quyết 57"): not a figure.
_NAME_BEFORE_RE = re.compile(r"(?:de an|so|nghi quyet|quyet dinh|chi thi|ke hoach|cong van|"
                             r"thong tu|nghi dinh|luat|khoan|dieu|muc|phu luc)\s*$")


def commune_names(n: int, rng: random.Random, avoid: set[str]) -> list[str]:
    """`n` distinct two-syllable commune names (repeats, with a number, only past ~2,700)."""
    pairs = [f"{a} {b}" for a in FIRST for b in SECOND if a != b and f"{a} {b}" not in avoid]
    rng.shuffle(pairs)
    return [pairs[i % len(pairs)] + (f" {i // len(pairs) + 1}" if i >= len(pairs) else "")
            for i in range(n)]


@dataclass
class Topic:
    heading: str
    body: list[str]

    @property
    def key(self) -> str | None:
        f = fold(self.heading)
        return next((k for k, words in TOPICS if words in f), None)


@dataclass
class Section:
    heading: str
    intro: list[str] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)


@dataclass
class Seed:
    name: str
    commune: str
    province: str
    preamble: list[str]
    sections: list[Section]


def parse_seed(path: Path) -> Seed:
    """A seed report split into preamble, top-level sections and their numbered topics."""
    meta = yaml.safe_load(path.with_suffix(".meta.yaml").read_text(encoding="utf-8")) or {}
    blocks = to_blocks(path.read_text(encoding="utf-8"))
    preamble: list[str] = []
    sections: list[Section] = []
    for b in blocks:
        kind = heading_type(b)
        if kind in ("part", "roman", "caps"):
            sections.append(Section(b))
        elif not sections:
            preamble.append(b)
        elif kind == "n1":
            sections[-1].topics.append(Topic(b, []))
        elif sections[-1].topics:
            sections[-1].topics[-1].body.append(b)
        else:
            sections[-1].intro.append(b)
    return Seed(path.name, meta.get("commune") or "", meta.get("province") or "", preamble, sections)


class Perturber:
    """Consistent new values for the figures of one report."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: dict[str, str] = {}

    def _number(self, raw: str, value: float, percent: bool) -> str:
        factor = self.rng.uniform(0.6, 1.5)
        if percent:
            if value >= 100 and self.rng.random() < 0.6:
                return raw
            new = min(100.0, max(0.0, value * factor))
        else:
            new = value * factor
        decimals = len(re.split(r"[,.]", raw.rstrip("%"))[-1]) if re.search(r",\d+%?$", raw) else 0
        if not percent and decimals == 0:
            new = max(1, round(new)) if value >= 1 else new
        text = format_vn(new, percent=percent, decimals=decimals)
        return text if "." in raw or value < 1000 else text.replace(".", "")

    def _ratio(self, raw: str) -> str:
        a, _, b = raw.partition("/")
        try:
            na, nb = int(a.replace(".", "")), int(b.replace(".", ""))
        except ValueError:
            return raw
        new_b = max(1, round(nb * self.rng.uniform(0.7, 1.4)))
        new_a = min(new_b, round(new_b * na / nb)) if nb else new_b
        fmt = (lambda v: format_vn(v)) if "." in raw else str
        return f"{fmt(new_a)}/{fmt(new_b)}"

    def __call__(self, text: str) -> str:
        out, last = [], 0
        for s in find_numbers(text):
            if s.kind not in ("number", "percent", "ratio") or s.start == 0:
                continue
            if _NAME_BEFORE_RE.search(fold(text[max(0, s.start - 14):s.start])):
                continue
            if s.raw not in self.seen:
                if s.kind == "ratio":
                    self.seen[s.raw] = self._ratio(s.raw)
                elif s.value is not None:
                    self.seen[s.raw] = self._number(s.raw, s.value, s.kind == "percent")
                else:
                    self.seen[s.raw] = s.raw
            out += [text[last:s.start], self.seen[s.raw]]
            last = s.end
        out.append(text[last:])
        return "".join(out)


def _renamer(seeds: list[Seed], commune: str, province: str):  # noqa: ANN202
    names = {s.commune for s in seeds if s.commune}
    provinces = {s.province for s in seeds if s.province}
    pairs = [(n, commune) for n in names] + [(n.upper(), commune.upper()) for n in names]
    pairs += [(p, province) for p in provinces] + [(p.upper(), province.upper()) for p in provinces]
    rx = re.compile(r"\b(" + "|".join(re.escape(a) for a, _ in sorted(pairs, key=lambda p: -len(p[0]))) + r")\b")
    table = dict(pairs)
    return lambda text: rx.sub(lambda m: table[m.group(1)], text)


def synth_report(seeds: list[Seed], rng: random.Random, commune: str, province: str) -> tuple[str, Seed]:
    """The text of one synthetic report and the seed used as its skeleton."""
    base = rng.choice(seeds)
    pool: dict[str, list[Topic]] = {}
    for s in seeds:
        for sec in s.sections:
            for t in sec.topics:
                if t.key:
                    pool.setdefault(t.key, []).append(t)
    perturb = Perturber(rng)
    rename = _renamer(seeds, commune, province)
    blocks = [f"UBND XÃ {commune.upper()}", f"Xã {commune}, tỉnh {province}", *base.preamble]
    for sec in base.sections:
        blocks.append(sec.heading)
        blocks += sec.intro
        topics = [t for t in sec.topics if rng.random() < 0.85]
        topics = [rng.choice(pool[t.key]) if t.key and rng.random() < 0.3 else t for t in topics]
        if rng.random() < 0.3:
            rng.shuffle(topics)
        for i, t in enumerate(topics, start=1):
            blocks.append(_N1_RE.sub(f"{i}. ", t.heading))
            blocks += t.body
    lines: list[str] = []
    for b in blocks:
        b = rename(b)
        if heading_type(b) is None:
            b = perturb(b)
        lines += textwrap.wrap(b, width=80, break_long_words=False, break_on_hyphens=False) or [b]
    return "\n".join(lines) + "\n", base


def generate(n: int, out: Path, *, seed: int = 7, year: int = 2025, seeds_dir: Path = SEEDS) -> list[Path]:
    """Write `n` synthetic reports (+ sidecars) to `out`; returns the report paths."""
    rng = random.Random(seed)
    seeds = [parse_seed(p) for p in sorted(seeds_dir.glob("*.txt"))]
    avoid = {s.commune for s in seeds}
    names = commune_names(n, rng, avoid)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, commune in enumerate(names):
        province = rng.choice(PROVINCES)
        text, base = synth_report(seeds, rng, commune, province)
        slug = re.sub(r"[^a-z0-9]+", "_", fold(commune)).strip("_")
        path = out / f"synth_{i:05d}_{slug}.txt"
        path.write_text(text, encoding="utf-8")
        meta = {"commune": commune, "province": province, "year": year, "kind": "report",
                "report_type": "synthetic", "period": str(year),
                "title": f"Báo cáo chuyển đổi số năm {year} (xã {commune}, tổng hợp từ {base.name})"}
        path.with_suffix(".meta.yaml").write_text(
            "# Synthetic benchmark report: made from the seed reports, figures perturbed\n"
            + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--year", type=int, default=2025)
    args = ap.parse_args()
    paths = generate(args.n, args.outdir, seed=args.seed, year=args.year)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} reports ({total / 1e6:.1f} MB) to {args.outdir}")  # noqa: T201


if __name__ == "__main__":
    main()
