"""Read scanned pages with Tesseract's Vietnamese model, offline, one page at a time.

Photos and scans of pages (.jpg .jpeg .png .tif .tiff) and PDF pages without a text layer are
rendered to grey images (poppler's `pdftoppm` for PDFs, Pillow for images) and read by the
`tesseract` program. Pages are read in parallel by `ocr_jobs` single-threaded Tesseract
processes (one Tesseract using several threads is slower per page on a small machine), and
every finished page is reported to a progress callback. OCR text is cleaned like any text
(NFC) and digit-run confusions ("2O25", "1l6") are fixed by `fix_ocr_text`.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest.errors import UnreadableFile
from assistant.ingest.limits import LimitExceeded
from assistant.ingest.loaders import RawText
from assistant.text.normalize import nfc

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")
INSTALL_TESSERACT = "sudo apt-get install tesseract-ocr tesseract-ocr-vie"
INSTALL_POPPLER = "sudo apt-get install poppler-utils"
MAX_PAGE_PIXELS = 40_000_000  # a scanned PDF page's image (A4 at 300 dpi: 8.7 million)
MIN_RENDER_DPI = 100  # a page that fits the pixels only below this is refused, not read
MIN_PAGE_CHARS = 10  # a PDF page with images, no fonts and less text than this is a scan
PageProgress = Callable[[int, int], None]  # (pages done, pages to read)


@dataclass
class OcrOptions:
    """How to run Tesseract; built from the settings (`ASSISTANT_OCR_*`)."""

    command: str = "tesseract"
    languages: str = "vie"
    dpi: int = 300
    jobs: int = 1
    page_timeout: float = 180.0
    max_pages: int = 300
    progress: PageProgress | None = None

    @classmethod
    def from_settings(cls, settings: Settings | None, progress: PageProgress | None = None) -> OcrOptions:
        if settings is None:
            return cls(progress=progress)
        jobs = settings.ocr_jobs or min(4, os.cpu_count() or 1)
        return cls(command=settings.ocr_command, languages=settings.ocr_languages, dpi=settings.ocr_dpi,
                   jobs=max(1, jobs), page_timeout=settings.ocr_page_timeout,
                   max_pages=settings.ocr_max_pages, progress=progress)


@dataclass
class OcrText(RawText):
    """Text of a file some or all of whose pages were read by OCR."""

    ocr_text: str = ""  # the part read by OCR (all of `text` for a photo or a fully scanned PDF)
    ocr_pages: int = 0
    page_texts: list[str] = field(default_factory=list)  # the text of each page, in order


# --- the programs ------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def _languages(exe: str) -> frozenset[str]:
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    lines = (out.stdout + "\n" + out.stderr).splitlines()
    return frozenset(x.strip() for x in lines if x.strip() and " " not in x.strip())


def tesseract(path: Path, opts: OcrOptions) -> str:
    """The Tesseract program to run; refuses the file, saying how to install it, when it is missing."""
    exe = shutil.which(opts.command)
    if exe is None:
        raise UnreadableFile(
            path, "đây là ảnh chụp hoặc bản quét, cần chương trình nhận dạng chữ Tesseract nhưng máy "
            f"chưa cài; hãy cài bằng lệnh: {INSTALL_TESSERACT}")
    missing = [lang for lang in opts.languages.split("+") if lang not in _languages(exe)]
    if missing:
        raise UnreadableFile(
            path, f"Tesseract chưa có mô hình ngôn ngữ {', '.join(missing)}; hãy cài bằng lệnh: "
            f"{INSTALL_TESSERACT}")
    return exe


def _run_tesseract(exe: str, image: Path, dpi: int | None, opts: OcrOptions, source: Path, page: int) -> str:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # parallel pages beat threads inside one page
    args = [exe, str(image), "stdout", "-l", opts.languages, "--psm", "3"]
    if dpi:  # a .pgm page carries no resolution; Tesseract sizes its text model by it
        args += ["--dpi", str(dpi)]
    try:
        out = subprocess.run(args,
                             capture_output=True, timeout=opts.page_timeout, env=env, check=False)
    except subprocess.TimeoutExpired as exc:
        raise UnreadableFile(source, f"nhận dạng chữ trang {page} quá {opts.page_timeout:g} giây "
                                     "(ASSISTANT_OCR_PAGE_TIMEOUT)") from exc
    if out.returncode != 0:
        log.debug("tesseract failed on %s page %d: %s", source.name, page, out.stderr[-500:])
        raise UnreadableFile(source, f"Tesseract không đọc được trang {page} (ảnh hỏng hoặc định dạng lạ)")
    return out.stdout.decode("utf-8", errors="replace")


PageImage = Callable[[Path], tuple[Path, int | None]]  # writes a page's image into a folder: (path, dpi)


def _read_pages(source: Path, jobs: list[PageImage], opts: OcrOptions) -> list[str]:
    """OCR pages in parallel; `jobs[i](folder)` writes page i's image there and gives its path and dpi."""
    exe = tesseract(source, opts)
    texts = [""] * len(jobs)
    done = 0
    if opts.progress:
        opts.progress(0, len(jobs))
    with tempfile.TemporaryDirectory(prefix="ocr-") as tmp, \
            ThreadPoolExecutor(max_workers=max(1, min(opts.jobs, len(jobs)))) as pool:

        def one(i: int) -> str:
            image, dpi = jobs[i](Path(tmp))
            try:
                return _run_tesseract(exe, image, dpi, opts, source, i + 1)
            finally:
                image.unlink(missing_ok=True)

        futures = {pool.submit(one, i): i for i in range(len(jobs))}
        try:
            for fut in as_completed(futures):
                texts[futures[fut]] = fut.result()
                done += 1
                if opts.progress:
                    opts.progress(done, len(jobs))
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
    return [fix_ocr_text(t) for t in texts]


# --- images ------------------------------------------------------------------------------
def read_image(path: Path, opts: OcrOptions) -> OcrText:
    """A photo or scan of one or more pages (a multi-page TIFF gives several)."""
    try:
        from PIL import Image, ImageOps, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - Pillow comes with the core dependencies
        raise UnreadableFile(path, "cần thư viện Pillow để đọc ảnh (pip install pillow)") from exc
    tesseract(path, opts)  # refuse early, before decoding anything, when OCR cannot run
    try:
        with Image.open(path) as im:
            n = getattr(im, "n_frames", 1)
            if n == 1:
                im.verify()  # a truncated or corrupt image fails here, before Tesseract sees it
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnreadableFile(path, "không phải tệp ảnh đọc được",
                             detail=f"{exc.__class__.__name__}: {exc}") from exc
    except Image.DecompressionBombError as exc:
        raise UnreadableFile(path, "ảnh quá lớn (quá nhiều điểm ảnh) để nhận dạng chữ") from exc
    if n > opts.max_pages:
        raise LimitExceeded(path, f"tệp ảnh có {n} trang, vượt giới hạn {opts.max_pages} trang "
                                  "nhận dạng chữ", "ASSISTANT_OCR_MAX_PAGES")

    def page(i: int) -> PageImage:
        def write(tmp: Path) -> tuple[Path, int | None]:
            with Image.open(path) as im:
                im.seek(i)
                dpi = im.info.get("dpi", (0, 0))[0]
                frame = ImageOps.exif_transpose(im.convert("RGB") if im.mode in ("P", "CMYK") else im)
                out = tmp / f"page-{i + 1:04d}.pgm"  # uncompressed grey: quick to write and read
                straighten(frame.convert("L")).save(out)
            return out, int(dpi) if dpi and 70 <= dpi <= 1200 else None
        return write

    try:
        texts = _read_pages(path, [page(i) for i in range(n)], opts)
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableFile(path, "ảnh bị hỏng, không đọc hết được",
                             detail=f"{exc.__class__.__name__}: {exc}") from exc
    text = join_broken_paragraphs("\n\n".join(texts))
    return OcrText(text, hard_breaks=False, pages=n, ocr_text=text, ocr_pages=n, page_texts=texts)


def straighten(page):  # noqa: ANN001, ANN201 - a PIL grey image
    """The page turned level when its lines slope (a hand-held photo): Tesseract's layout analysis
    splits lines sloping 2–3° into false columns and drops most of the page."""
    angle = skew_angle(page)
    if abs(angle) < 1.0:  # Tesseract copes with a small slope; turning the page costs time
        return page
    from PIL import Image

    return page.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=255)


def skew_angle(page) -> float:  # noqa: ANN001 - a PIL grey image
    """The rotation (degrees, counter-clockwise) that makes the text lines horizontal: the angle at
    which the ink's row profile is sharpest. Light and shade are evened out first; the profile is
    computed from the ink pixels' coordinates, so trying an angle costs no image rotation."""
    import numpy as np
    from PIL import ImageFilter

    small = page.reduce(max(1, page.width // 500))
    background = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(6))
    a = np.asarray(small, dtype=np.float32) / np.maximum(np.asarray(background, dtype=np.float32), 1.0)
    ys, xs = np.nonzero(a < 0.75)
    if len(ys) < 50:
        return 0.0
    cx, cy = small.width / 2, small.height / 2

    def sharpness(angle: float) -> float:
        t = np.deg2rad(angle)  # PIL's rotate(angle) turns counter-clockwise: rows move by x·sin
        rows = (cy + (ys - cy) * np.cos(t) - (xs - cx) * np.sin(t)).astype(np.int64)
        profile = np.bincount(rows - rows.min())
        return float(np.var(np.diff(profile)))

    best = max(np.arange(-6.0, 6.01, 0.5), key=sharpness)
    return round(float(max(np.arange(best - 0.4, best + 0.41, 0.1), key=sharpness)), 1)


# --- PDFs --------------------------------------------------------------------------------
def _resources(obj, depth: int = 0) -> tuple[bool, bool]:  # noqa: ANN001 - pypdf dictionaries
    """(has fonts, has images) of a page or form, looking one level into its forms."""
    res = obj.get("/Resources")
    res = res.get_object() if res is not None else {}
    fonts = bool(res.get("/Font"))
    images = False
    xobjects = res.get("/XObject")
    for x in (xobjects.get_object().values() if xobjects is not None else []):
        x = x.get_object()
        if x.get("/Subtype") == "/Image":
            images = True
        elif x.get("/Subtype") == "/Form" and depth < 2:
            f, i = _resources(x, depth + 1)
            fonts, images = fonts or f, images or i
    return fonts, images


def _maybe_scanned(page) -> bool:  # noqa: ANN001 - pypdf PageObject
    """A page that draws images and no text at all (cheap: looks at its resources only)."""
    try:
        fonts, images = _resources(page)
    except Exception:  # noqa: BLE001 - odd resources: leave the page to the text reader
        return False
    return images and not fonts


def render_dpi(width_pt: float, height_pt: float, dpi: int) -> int | None:
    """The resolution to render a page of this size at: `dpi`, lowered for an oversized page so its
    image stays under MAX_PAGE_PIXELS; None when even MIN_RENDER_DPI would not fit (a page size
    no report has: rendering it could take gigabytes)."""
    inches = max(width_pt, 1.0) / 72 * max(height_pt, 1.0) / 72
    fits = int((MAX_PAGE_PIXELS / inches) ** 0.5)
    if fits < MIN_RENDER_DPI:
        return None
    return min(dpi, fits)


def scanned_pages(pages: Sequence, texts: Sequence[str]) -> list[int]:  # pypdf pages
    """Indexes of the pages that are scans: images, no fonts, (almost) no extracted text."""
    return [i for i, page in enumerate(pages) if len(texts[i].strip()) < MIN_PAGE_CHARS and _maybe_scanned(page)]


def read_scanned_pages(path: Path, texts: list[str], scanned: list[int], opts: OcrOptions,
                       sizes: Sequence[tuple[float, float]] = ()) -> OcrText | None:
    """A PDF some of whose pages are scans: text pages as extracted (`texts`), the `scanned`
    pages (of `sizes`, points, for each page) read by OCR. None when OCR cannot run but the text
    pages hold text (they are then read as before, with a warning); refused, saying what to
    install, when nothing is left."""
    texts = list(texts)
    dpis = {i: render_dpi(*sizes[i], opts.dpi) if sizes else opts.dpi for i in scanned}
    oversized = [i + 1 for i, d in dpis.items() if d is None]
    if oversized:
        raise UnreadableFile(path, f"trang {oversized[0]} của PDF quá khổ (lớn hơn nhiều so với khổ A0) "
                                   "nên không nhận dạng chữ được")
    if len(scanned) > opts.max_pages:
        raise LimitExceeded(path, f"tệp có {len(scanned)} trang quét, vượt giới hạn {opts.max_pages} "
                                  "trang nhận dạng chữ", "ASSISTANT_OCR_MAX_PAGES")
    pdftoppm = shutil.which("pdftoppm")
    try:
        tesseract(path, opts)
        if pdftoppm is None:
            raise UnreadableFile(path, "PDF có trang quét, cần chương trình pdftoppm để tách trang thành "
                                       f"ảnh; hãy cài bằng lệnh: {INSTALL_POPPLER}")
    except UnreadableFile as exc:
        if len("".join(texts).strip()) < 20:
            raise  # nothing readable without OCR: refuse, saying what to install
        log.warning("%s: bỏ qua %d trang ảnh quét vì %s", path.name, len(scanned), exc.reason)
        return None  # its text pages are read as before OCR existed

    def render(i: int) -> PageImage:
        def write(tmp: Path) -> tuple[Path, int | None]:
            base = tmp / f"page-{i + 1:04d}"
            try:
                out = subprocess.run([pdftoppm, "-r", str(dpis[i]), "-gray", "-f", str(i + 1),
                                      "-l", str(i + 1), "-singlefile", str(path), str(base)],
                                     capture_output=True, timeout=opts.page_timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                raise UnreadableFile(path, f"không tách được trang {i + 1} thành ảnh trong "
                                           f"{opts.page_timeout:g} giây") from exc
            pgm = base.with_suffix(".pgm")  # uncompressed grey: ten times faster to write than PNG
            if out.returncode != 0 or not pgm.exists():
                raise UnreadableFile(path, f"không tách được trang {i + 1} của PDF thành ảnh")
            from PIL import Image

            with Image.open(pgm) as im:
                level = straighten(im)
                if level is not im:  # a page fed into the scanner askew
                    level.save(pgm)
            return pgm, dpis[i]
        return write

    read = _read_pages(path, [render(i) for i in scanned], opts)
    for i, t in zip(scanned, read, strict=True):
        texts[i] = t
    ocr_text = "\n\n".join(read)
    if len(ocr_text.strip()) < 20 and len("".join(texts).strip()) < 20:
        raise UnreadableFile(path, "PDF không có lớp chữ và nhận dạng chữ (OCR) không đọc được chữ nào "
                                   "trên các trang quét")
    return OcrText(join_broken_paragraphs("\n".join(texts)), hard_breaks=False, pages=len(texts), ocr_text=ocr_text,
                   ocr_pages=len(scanned), page_texts=texts)


# --- cleaning ----------------------------------------------------------------------------
_O_IN_DIGITS = re.compile(r"(?<=\d)[OoОо](?=\d)|(?<=\d\d)[OoОо](?=%)")  # also Cyrillic look-alikes
_L_IN_DIGITS = re.compile(r"(?<=\d)[lI|](?=\d)")
_DOUBLE_SEP = re.compile(r"(?<=\d)([.,])\1+(?=\d)")
_CODE_BREAK = re.compile(r"(?<=[A-ZĐ0-9]-)\n+(?=[A-ZĐ]{2})")  # "50/KH-" / "UBND" broken over two lines
_MIXED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,]\d{3}){2,}(?![\d.,])")


def _thousands(m: re.Match[str]) -> str:
    s = m.group(0)
    return s.replace(",", ".") if "," in s and "." in s else s


_GAP = re.compile(r"(,|[^\W\d_])[ \t]*\n[ \t]*\n\s*(?=(\S)(\S?))")


def _mend_gap(m: re.Match[str]) -> str:
    before, first, second = m.group(1), m.group(2), m.group(3)
    if before == "," or (first.islower() and second != ")"):  # "a)" opens a list item
        return before + "\n"
    return m.group(0)


def join_broken_paragraphs(text: str) -> str:
    """Join a paragraph that OCR split with a blank line (a wide gap between two lines, or a page
    break) where it cannot have ended: after a comma, or before a lower-case word that is not a
    list item's letter ("hành\n\nchính" → "hành\nchính")."""
    return _GAP.sub(_mend_gap, text)


def fix_ocr_text(text: str) -> str:
    """NFC, and OCR confusions inside figures fixed only where the reading is unambiguous.

    Inside a run of digits an "O"/"o" is a zero and an "l"/"I"/"|" a one ("2O25" → "2025",
    "1l6" → "116", "1O%" stays: one digit before is not a run); a doubled separator is one
    ("1..284" → "1.284"); a figure with two or more thousands groups of mixed separators
    ("14,590.000") takes the Vietnamese thousands dot throughout. A document code broken at its
    hyphen over two lines is joined again ("50/KH-" + "UBND"). Nothing else changes.
    """
    text = nfc(text).replace("\x0c", "\n")
    text = _O_IN_DIGITS.sub("0", text)
    text = _L_IN_DIGITS.sub("1", text)
    text = _DOUBLE_SEP.sub(r"\1", text)
    text = _CODE_BREAK.sub("", text)
    text = join_broken_paragraphs(text)
    return _MIXED_THOUSANDS.sub(_thousands, text)


def ocr_lines(ocr_text: str) -> list[str]:
    """The OCR'd lines long enough to recognise inside a chunk (spaces collapsed)."""
    return [x for x in (" ".join(line.split()) for line in ocr_text.splitlines()) if len(x) >= 12]


def is_from_ocr(chunk_text: str, lines: list[str]) -> bool:
    """Whether a chunk holds text read by OCR (one of the OCR'd lines appears in it)."""
    flat = " ".join(chunk_text.split())
    return any(line in flat for line in lines)
