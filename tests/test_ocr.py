"""Scanned PDFs and photos of pages: read by Tesseract (vie) page by page, marked as OCR, refused
in plain Vietnamese when Tesseract is missing. Fixtures: tests/fixtures/scanned/
(scripts/make_scanned_fixtures.py renders seed-report pages, with skew, noise and a phone photo).
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest

from assistant.ingest.loaders import SUPPORTED_SUFFIXES, UnreadableFile, read_file
from assistant.ingest.ocr import OcrText, fix_ocr_text
from assistant.ingest.pipeline import parse_file

from .conftest import FIXTURES, make_settings

SCANNED = FIXTURES / "scanned"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None or shutil.which("pdftoppm") is None,
                                     reason="Tesseract or poppler-utils is not installed")
FIGURE_RE = re.compile(r"\d+(?:[.,/]\d+)*%?")


def figures(text: str) -> list[str]:
    return FIGURE_RE.findall(text)


def recovered_share(truth: str, got: str) -> float:
    """The share of the printed page's figures that the OCR text holds exactly (counted per figure)."""
    want = figures(truth)
    have = figures(" ".join(got.split()))
    hits = 0
    for f in want:
        if f in have:
            have.remove(f)
            hits += 1
    return hits / max(1, len(want))


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[OcrText, list[tuple[int, int]]]]:
    """Each scanned fixture read once, with the progress events it sent."""
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None:
        pytest.skip("Tesseract or poppler-utils is not installed")
    settings = make_settings(tmp_path_factory.mktemp("ocr") / "index")
    out = {}
    for name in ("tan_an_scan.pdf", "giao_minh_mixed.pdf", "dai_son_photo.jpg"):
        events: list[tuple[int, int]] = []
        raw = read_file(SCANNED / name, settings=settings, progress=lambda d, t, ev=events: ev.append((d, t)))
        out[name] = (raw, events)
    return out


# ------------------------------------------------------------------ reading


@needs_tesseract
def test_a_scanned_pdf_is_read_page_by_page_with_progress(scans) -> None:
    raw, events = scans["tan_an_scan.pdf"]
    assert isinstance(raw, OcrText) and raw.ocr_pages == raw.pages == 2
    assert events[0] == (0, 2) and events[-1] == (2, 2) and [d for d, _ in events] == [0, 1, 2]
    assert "17 ấp với 116" in " ".join(raw.text.split())
    truth = (SCANNED / "tan_an_scan.truth.txt").read_text(encoding="utf-8")
    assert recovered_share(truth, raw.text) >= 0.95


@needs_tesseract
def test_a_mixed_pdf_reads_only_its_scanned_page_by_ocr(scans) -> None:
    raw, events = scans["giao_minh_mixed.pdf"]
    assert raw.pages == 2 and raw.ocr_pages == 1
    assert events[-1] == (1, 1)  # one page went to Tesseract, not two
    assert "Tình hình, đánh giá kết quả chuyển đổi số năm 2025" in raw.text  # the text layer, as it is
    assert "Tình hình" not in raw.ocr_text
    assert "21 Tổ công nghệ số cộng đồng tại 21 xóm" in " ".join(raw.ocr_text.split())


@needs_tesseract
def test_a_photo_of_a_page_is_read(scans) -> None:
    raw, events = scans["dai_son_photo.jpg"]
    assert raw.ocr_pages == 1 and events[-1] == (1, 1)
    truth = (SCANNED / "dai_son_photo.truth.txt").read_text(encoding="utf-8")
    assert recovered_share(truth, raw.text) >= 0.95
    assert "11/11 thôn" in " ".join(raw.text.split())
    assert raw.text == unicodedata.normalize("NFC", raw.text)


@needs_tesseract
def test_chunks_from_ocr_are_marked_and_text_pages_are_not(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index")
    events: list[tuple[str, int, int]] = []
    _, chunks = parse_file(SCANNED / "giao_minh_mixed.pdf", settings, progress=lambda *e: events.append(e))
    assert events == [("ocr:giao_minh_mixed.pdf", 0, 1), ("ocr:giao_minh_mixed.pdf", 1, 1)]
    by_text = {c.text: c.ocr for c in chunks}
    scanned = [ocr for text, ocr in by_text.items() if "21 xóm" in text]
    typed = [ocr for text, ocr in by_text.items() if "Tình hình, đánh giá kết quả" in text]
    assert scanned == [True] and typed == [False]
    _, photo = parse_file(SCANNED / "dai_son_photo.jpg", settings)
    assert photo and all(c.ocr for c in photo)
    assert photo[0].commune == "Đại Sơn"


def test_image_suffixes_are_supported() -> None:
    assert {".jpg", ".jpeg", ".png", ".tif", ".tiff"} <= set(SUPPORTED_SUFFIXES)


# ------------------------------------------------------------------ refusals


def test_without_tesseract_a_scan_is_refused_with_the_install_command(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index", ocr_command="tesseract-khong-co")
    for name in ("tan_an_scan.pdf", "dai_son_photo.jpg"):
        with pytest.raises(UnreadableFile) as err:
            read_file(SCANNED / name, settings=settings)
        assert "Tesseract" in err.value.reason and "apt-get install tesseract-ocr tesseract-ocr-vie" in err.value.reason
    # a PDF with a text layer does not need Tesseract at all, and a partly scanned one is read as
    # before (its text pages only; the skipped pages are named in a warning)
    assert "Xuân Phong" in read_file(FIXTURES / "ingest" / "xuan_phong_2025.pdf", settings=settings).text
    mixed = read_file(SCANNED / "giao_minh_mixed.pdf", settings=settings)
    assert "Tình hình, đánh giá kết quả" in mixed.text and "21 xóm" not in mixed.text


@needs_tesseract
def test_a_missing_language_model_is_named(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index", ocr_languages="khong_co_mo_hinh")
    with pytest.raises(UnreadableFile) as err:
        read_file(SCANNED / "dai_son_photo.jpg", settings=settings)
    assert "khong_co_mo_hinh" in err.value.reason and "tesseract-ocr-vie" in err.value.reason


@needs_tesseract
def test_a_broken_image_and_a_blank_scan_get_plain_reasons(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index")
    junk = tmp_path / "anh_hong.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"khong phai anh" * 20)
    with pytest.raises(UnreadableFile) as err:
        read_file(junk, settings=settings)
    assert "ảnh" in err.value.reason
    with pytest.raises(UnreadableFile) as err:  # an image with no letters on it
        read_file(FIXTURES / "bad" / "image_only.pdf", settings=settings)
    assert "OCR" in err.value.reason


@needs_tesseract
def test_too_many_scanned_pages_are_refused_before_reading(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index", ocr_max_pages=1)
    with pytest.raises(UnreadableFile) as err:
        read_file(SCANNED / "tan_an_scan.pdf", settings=settings)
    assert "2 trang quét" in err.value.reason and "ASSISTANT_OCR_MAX_PAGES" in err.value.reason


# ------------------------------------------------------------------ cleaning


@pytest.mark.parametrize(("ocr", "fixed"), [
    ("năm 2O25 có 1l6 thành viên", "năm 2025 có 116 thành viên"),
    ("đạt 10O% kế hoạch", "đạt 100% kế hoạch"),
    ("có 1..284 hồ sơ và 87,,5%", "có 1.284 hồ sơ và 87,5%"),
    ("dân số 14,590.000 người", "dân số 14.590.000 người"),
    ("Ol thôn, lO ấp, 1O%", "Ol thôn, lO ấp, 1O%"),  # not inside a run of digits: left alone
    ("Lào Cai, Long An, mục I, 1.5 và 2,5", "Lào Cai, Long An, mục I, 1.5 và 2,5"),
    ("Kế hoạch số 50/KH-\nUBND ngày 11/9/2025; công nghệ -\nthông tin", "Kế hoạch số 50/KH-UBND ngày 11/9/2025; công nghệ -\nthông tin"),
])
def test_ocr_confusions_are_fixed_only_inside_figures(ocr: str, fixed: str) -> None:
    assert fix_ocr_text(ocr) == fixed


def test_ocr_text_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Tổ công nghệ số cộng đồng")
    assert fix_ocr_text(decomposed) == "Tổ công nghệ số cộng đồng"


def test_progress_bars_name_the_pages_being_read() -> None:
    from assistant.app import progress_label

    assert progress_label("ocr:tan_an_scan.pdf") == ("Đang nhận dạng chữ (OCR) tan_an_scan.pdf", "trang")
    assert progress_label("embed") == ("Đang tạo vector", "đoạn")


@needs_tesseract
def test_a_turned_phone_photo_and_a_multipage_tiff_are_read(tmp_path: Path) -> None:
    """Phones store the picture sideways with an EXIF orientation; a fax-like TIFF holds several pages."""
    from PIL import Image

    settings = make_settings(tmp_path / "index")
    with Image.open(SCANNED / "dai_son_photo.jpg") as im:
        page = im.convert("RGB")
    turned = tmp_path / "chup_doc.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to show"
    page.rotate(90, expand=True).save(turned, quality=85, exif=exif)
    assert "11/11 thôn" in " ".join(read_file(turned, settings=settings).text.split())
    tiff = tmp_path / "hai_trang.tif"
    top = page.crop((0, 0, page.width, page.height // 2)).convert("L")
    top.save(tiff, save_all=True, append_images=[top.transpose(Image.Transpose.FLIP_LEFT_RIGHT)])
    events: list[tuple[int, int]] = []
    raw = read_file(tiff, settings=settings, progress=lambda d, t: events.append((d, t)))
    assert raw.pages == 2 and events[-1] == (2, 2) and len(raw.page_texts) == 2
    assert "Tổ công nghệ số" in raw.page_texts[0]


@pytest.mark.parametrize("turn", [-3.0, 2.0, 4.5])
def test_the_slope_of_a_page_is_measured(turn: float) -> None:
    """A page photographed 2–3° askew loses most of its lines in Tesseract's layout analysis; the
    slope is measured (and the page turned level) first."""
    from PIL import Image

    from assistant.ingest.ocr import skew_angle, straighten

    with Image.open(SCANNED / "dai_son_photo.jpg") as im:
        page = im.convert("L")
    base = skew_angle(page)
    turned = page.rotate(-turn, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    assert abs(skew_angle(turned) - (base + turn)) <= 0.3
    assert abs(skew_angle(straighten(turned))) <= 0.6


def test_the_pdf_limits_are_checked_before_any_page_is_read_by_ocr(tmp_path: Path) -> None:
    """A scanned PDF over the page limit is refused by that limit, before Tesseract is even looked
    for (no program named here exists, so reaching OCR would give another reason)."""
    settings = make_settings(tmp_path / "index", ocr_command="tesseract-khong-co", max_pdf_pages=1)
    with pytest.raises(UnreadableFile) as err:
        read_file(SCANNED / "tan_an_scan.pdf", settings=settings)
    assert "ASSISTANT_MAX_PDF_PAGES" in err.value.reason and "Tesseract" not in err.value.reason


def test_an_oversized_scanned_page_is_rendered_at_a_lower_resolution_or_refused() -> None:
    from assistant.ingest.ocr import MAX_PAGE_PIXELS, render_dpi

    assert render_dpi(595, 842, 300) == 300  # A4 as asked
    big = render_dpi(2384, 3370, 300)  # A0: fewer dots per inch, the same number of pixels at most
    assert 100 <= big < 300 and (2384 / 72 * big) * (3370 / 72 * big) <= MAX_PAGE_PIXELS
    assert render_dpi(14400, 14400, 300) is None  # a 5 m page: no page of a report, refused


def test_a_paragraph_split_by_a_gap_or_a_page_break_is_joined_where_it_cannot_have_ended() -> None:
    got = fix_ocr_text("bố trí 09 CBCC gồm: 01 Giám đốc (kiêm nhiệm),\n\n01 Phó Giám đốc; thủ tục hành\n\n"
                       "chính đúng hạn.\n\nTồn tại, hạn chế\n\na) Hạ tầng còn yếu;\n\nb) Thiếu nhân lực.")
    assert got == ("bố trí 09 CBCC gồm: 01 Giám đốc (kiêm nhiệm),\n01 Phó Giám đốc; thủ tục hành\nchính đúng hạn."
                   "\n\nTồn tại, hạn chế\n\na) Hạ tầng còn yếu;\n\nb) Thiếu nhân lực.")
