"""Write the scanned, photographed and old-Office fixtures the OCR and conversion tests read.

Seed-report pages (corpus/reports/*.txt) are typeset on A4 in DejaVu Serif 13 pt, rendered at
scanner resolution and spoiled the way real scans are: a small skew, speckle noise, a little blur,
and either a black-and-white (CCITT G4) or a grey JPEG page. A "photo" adds a perspective, uneven
light and blur and is saved as a .jpg. LibreOffice turns the project's own .docx and a figures
table into a .doc and an .xls, and the invented guidance texts (tests/fixtures/guidance/*.txt,
written in this project's own words) into a PDF.

    python scripts/make_scanned_fixtures.py            # the small committed fixtures
    python scripts/make_scanned_fixtures.py --check    # only say whether the tools are there

`bench_ocr.py` imports `render_text_pages`, `scan_page`, `photo_page` and `save_pdf` to scan
whole reports at benchmark time (those are too big to commit).
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "scanned"
SEEDS = ROOT / "corpus" / "reports"
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
A4_MM = (210, 297)
MARGINS_MM = (30, 20, 15, 20)  # left, top, right, bottom (Nghị định 30: 30-35 / 20-25 / 15-20 / 20-25)


def font_path(bold: bool = False) -> Path:
    name = "DejaVuSerif-Bold.ttf" if bold else "DejaVuSerif.ttf"
    for d in FONT_DIRS:
        if (d / name).exists():
            return d / name
    raise SystemExit(f"font {name} not found (apt-get install fonts-dejavu-core)")


@dataclass
class Page:
    """One typeset page: its lines (as printed) and the rendered image."""

    lines: list[str]
    image: object  # PIL.Image.Image
    top: int = 0  # pixel row of the first line
    step: int = 0  # pixels from one line to the next

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _px(mm: float, dpi: int) -> int:
    return round(mm / 25.4 * dpi)


def source_lines(text: str) -> list[str]:
    """The paragraphs of an extracted report (its wrapped lines joined again), to be typeset anew."""
    sys.path.insert(0, str(ROOT))
    from assistant.ingest.cleaning import to_blocks

    return to_blocks(text)


def render_text_pages(lines: list[str], *, dpi: int = 300, size_pt: float = 13.0,
                      max_pages: int | None = None) -> list[Page]:
    """Typeset lines on A4 pages (wrapping long ones) and render each page as a white grey image."""
    from PIL import Image, ImageDraw, ImageFont

    regular = ImageFont.truetype(str(font_path()), round(size_pt / 72 * dpi))
    bold = ImageFont.truetype(str(font_path(bold=True)), round(size_pt / 72 * dpi))
    w, h = _px(A4_MM[0], dpi), _px(A4_MM[1], dpi)
    left, top, right, bottom = (_px(m, dpi) for m in MARGINS_MM)
    width = w - left - right
    step = round(size_pt * 1.45 / 72 * dpi)  # line spacing ~1.45
    per_page = (h - top - bottom) // step
    avg = regular.getlength("Chuyển đổi số năm 2025 của xã ") / 30
    wrap = max(20, int(width / avg))
    printed: list[str] = []
    for line in lines:  # each line is a paragraph: wrap it to the text width
        while regular.getlength(line) > width:
            head = textwrap.wrap(line, wrap)[0]
            while regular.getlength(head) > width and " " in head:
                head = head.rsplit(" ", 1)[0]
            printed.append(head)
            line = line[len(head):].strip()
        printed.append(line)
    pages: list[Page] = []
    for start in range(0, len(printed), per_page):
        chunk = printed[start:start + per_page]
        img = Image.new("L", (w, h), 255)
        draw = ImageDraw.Draw(img)
        for i, line in enumerate(chunk):
            heading = line.isupper() and len(line) > 3
            draw.text((left, top + i * step), line, font=bold if heading else regular, fill=0)
        draw.text((w // 2, h - bottom // 2), str(len(pages) + 1), font=regular, fill=0, anchor="mm")
        pages.append(Page(chunk, img, top, step))
        if max_pages and len(pages) >= max_pages:
            break
    return pages


def scan_page(img, *, seed: int, bilevel: bool = True, skew: float | None = None):  # noqa: ANN001, ANN201
    """A flatbed scan of a printed page: skew, toner speckles, a little blur, thresholded or grey."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    angle = skew if skew is not None else rng.uniform(-1.2, 1.2)
    page = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    arr = np.asarray(page, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0, 18 if bilevel else 4, arr.shape)  # paper grain
    arr = np.clip(arr * 0.92 + 12 + noise, 0, 255)
    specks = np.random.default_rng(seed + 1).random(arr.shape) < 0.0004  # dust and toner dots
    arr[specks] = 30
    out = Image.fromarray(arr.astype(np.uint8), "L")
    if bilevel:
        return out.point(lambda v: 255 if v > 150 else 0, mode="1")
    return out


def photo_page(img, *, seed: int):  # noqa: ANN001, ANN201
    """A phone photo of a printed page: perspective, uneven light, soft focus, colour, JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    w, h = img.size
    scale = 0.62  # a 12 MP phone photo of a whole page is ~190 dpi
    small = img.resize((int(w * scale), int(h * scale)), Image.Resampling.LANCZOS)
    sw, sh = small.size
    pad = int(0.06 * sw)
    canvas = Image.new("L", (sw + 2 * pad, sh + 2 * pad), 95)  # the desk around the page
    canvas.paste(small, (pad, pad))
    cw, ch = canvas.size
    d = [rng.uniform(0.0, 0.035) * cw for _ in range(8)]
    quad = (d[0], d[1], d[2], ch - d[3], cw - d[4], ch - d[5], cw - d[6], d[7])  # NW, SW, SE, NE
    warped = canvas.transform((cw, ch), Image.Transform.QUAD, quad, Image.Resampling.BICUBIC)
    warped = warped.rotate(rng.uniform(-2.5, 2.5), resample=Image.Resampling.BICUBIC, fillcolor=95)
    warped = warped.filter(ImageFilter.GaussianBlur(1.0))
    arr = np.asarray(warped, dtype=np.float32)
    yy, xx = np.mgrid[0:ch, 0:cw].astype(np.float32)
    light = 0.62 + 0.38 * np.exp(-(((xx - 0.3 * cw) / cw) ** 2 + ((yy - 0.25 * ch) / ch) ** 2) * 1.6)
    arr = arr * light + np.random.default_rng(seed).normal(0, 5, arr.shape)
    grey = np.clip(arr, 0, 255).astype(np.uint8)
    rgb = np.stack([grey * 1.0, grey * 0.97, grey * 0.90], axis=-1).clip(0, 255).astype(np.uint8)
    return Image.fromarray(rgb, "RGB")


def save_pdf(images: list, path: Path, *, dpi: int) -> None:
    """Pages as an image-only PDF (a black-and-white page becomes CCITT G4, a grey one JPEG)."""
    first, *rest = images
    extra = {} if first.mode == "1" else {"quality": 30}
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest, **extra)


def jpeg_bytes(img, quality: int = 72) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def office() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert with LibreOffice headless (own profile folder, so a running LibreOffice is no problem)."""
    exe = office()
    if exe is None:
        raise SystemExit("LibreOffice is needed (apt-get install libreoffice-writer libreoffice-calc)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                        "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)
    return outdir / f"{src.stem}.{fmt.split(':')[0]}"


# ------------------------------------------------------------------ the committed fixtures
# Tân An's report (003): its opening and the Tổ công nghệ số cộng đồng passage.
SCAN_SEED = "003_7619b87458e9843f.txt"


def seed_page(name: str, start: str, *, dpi: int, n_paragraphs: int = 40) -> Page:
    """One typeset page of a seed report, from the paragraph that contains `start`."""
    paras = source_lines((SEEDS / name).read_text(encoding="utf-8"))
    i = next(i for i, x in enumerate(paras) if start in x)
    return render_text_pages(paras[i:i + n_paragraphs], dpi=dpi, max_pages=1)[0]


def write_truth(path: Path, pages: list[Page]) -> None:
    """The printed text of each page (pages separated by a form feed), to score OCR against."""
    path.write_text("\n\f\n".join(p.text for p in pages) + "\n", encoding="utf-8")


def make_scanned_pdf(out: Path) -> Path:
    """Two black-and-white 300 dpi pages of Tân An's report (its opening; its digital teams), no text."""
    pages = [seed_page(SCAN_SEED, "BÁO CÁO", dpi=300),
             seed_page(SCAN_SEED, "Thành lập Tổ công nghệ số cộng đồng trên địa bàn 17 ấp", dpi=300)]
    path = out / "tan_an_scan.pdf"
    save_pdf([scan_page(p.image, seed=10 + i) for i, p in enumerate(pages)], path, dpi=300)
    write_truth(out / "tan_an_scan.truth.txt", pages)
    return path


def make_mixed_pdf(out: Path, tmp: Path) -> Path:
    """Page 1 with a text layer (LibreOffice), page 2 a grey 200 dpi scan: only page 2 needs OCR."""
    from pypdf import PdfReader, PdfWriter

    name = "001_c00a27b78cbf0629.txt"
    paras = source_lines((SEEDS / name).read_text(encoding="utf-8"))
    import docx

    d = docx.Document()
    for para in paras[:12]:
        d.add_paragraph(para)
    src = tmp / "giao_minh_p1.docx"
    d.save(src)
    text_pdf = convert(src, "pdf", tmp)
    page = seed_page(name, "3.2. Hỗ trợ hoạt động Tổ công nghệ số cộng đồng", dpi=200, n_paragraphs=12)
    scan_pdf = tmp / "scan.pdf"
    save_pdf([scan_page(page.image, seed=21, bilevel=False)], scan_pdf, dpi=200)
    writer = PdfWriter()
    writer.append(PdfReader(text_pdf), pages=[0])
    writer.append(PdfReader(scan_pdf))
    path = out / "giao_minh_mixed.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    write_truth(out / "giao_minh_mixed.truth.txt", [page])
    return path


def make_photo(out: Path) -> Path:
    """The upper half of a page of Đại Sơn's report, photographed with a phone."""
    page = seed_page("002_fb0e2068ce768d4e.txt", "Tổ công nghệ số", dpi=300, n_paragraphs=8)
    keep = len(page.lines) // 2
    half = Page(page.lines[:keep], page.image)
    img = page.image.crop((0, 0, page.image.width, page.top + keep * page.step + page.step // 3))
    path = out / "dai_son_photo.jpg"
    path.write_bytes(jpeg_bytes(photo_page(img, seed=31)))
    write_truth(out / "dai_son_photo.truth.txt", [half])
    return path


def make_doc(out: Path, tmp: Path) -> Path:
    """The project's own .docx fixture (Xuân Phong, with a table) saved by LibreOffice as Word 97 .doc."""
    src = tmp / "xuan_phong_2025.docx"
    shutil.copy(ROOT / "tests" / "fixtures" / "ingest" / "xuan_phong_2025.docx", src)
    doc = convert(src, "doc", tmp)
    return Path(shutil.copy(doc, out / "xuan_phong_2025.doc"))


FIGURES = [  # Ninh Hải's figures table (invented), as an officer keeps it in Excel
    ("STT", "Chỉ tiêu", "Đơn vị", "Kết quả năm 2025", "Chỉ tiêu năm 2026"),
    (1, "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến", "%", 0.683, 0.8),
    (2, "Số thành viên Tổ công nghệ số cộng đồng", "người", 137, 150),
    (3, "Số hộ gia đình có cáp quang", "hộ", 4215, 4600),
    (4, "Số camera an ninh kết nối về xã", "camera", 58, 75),
    (5, "Tỷ lệ người dân trưởng thành có tài khoản VNeID mức 2", "%", 0.912, 0.95),
]


def make_xls(out: Path, tmp: Path) -> Path:
    """A figures table written with openpyxl, saved by LibreOffice as Excel 97 .xls."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Số liệu CĐS 2025"
    ws.append(["Bảng số liệu chuyển đổi số năm 2025 của xã Ninh Hải"])
    ws.append([])
    for row in FIGURES:
        ws.append(list(row))
    for r in ws.iter_rows(min_row=4, min_col=4, max_col=5):
        for cell in r:
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"
    src = tmp / "ninh_hai_so_lieu_2025.xlsx"
    wb.save(src)
    xls = convert(src, "xls", tmp)
    return Path(shutil.copy(xls, out / "ninh_hai_so_lieu_2025.xls"))


GUIDANCE = ROOT / "tests" / "fixtures" / "guidance"


def make_guidance_pdf(tmp: Path) -> Path:
    """The invented Quyết định 512 (tests/fixtures/guidance/*.txt, this project's own words) as the
    PDF an office would print from Word: its Chương/Điều/Khoản must survive PDF extraction."""
    import docx

    src = GUIDANCE / "quyet_dinh_512_bac_lam.txt"
    d = docx.Document()
    for line in src.read_text(encoding="utf-8").splitlines():
        d.add_paragraph(line)
    word = tmp / f"{src.stem}.docx"
    d.save(word)
    return Path(shutil.copy(convert(word, "pdf", tmp), GUIDANCE / f"{src.stem}.pdf"))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="only check that the tools are installed")
    args = ap.parse_args()
    if args.check:
        ok = bool(office()) and font_path().exists()
        print("ok" if ok else "missing tools")
        return 0 if ok else 1
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        made = [make_scanned_pdf(args.out), make_mixed_pdf(args.out, tmp), make_photo(args.out),
                make_doc(args.out, tmp), make_xls(args.out, tmp), make_guidance_pdf(tmp)]
    for p in made:
        print(f"{p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}  {p.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
