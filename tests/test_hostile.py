"""Hostile uploads: small files that mean huge work are refused by a named limit before the
expensive step (scripts/make_hostile_fixtures.py writes them, sized just over `TEST_LIMITS`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.ingest.limits import Limits, mb
from assistant.ingest.loaders import UnreadableFile, read_file
from assistant.ingest.pipeline import ingest, parse_file
from assistant.settings import Settings

from .conftest import FIXTURES, make_settings, run_cli
from .test_faults import _script

HOSTILE = _script("make_hostile_fixtures")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return {h.path.name: h for h in HOSTILE.make_all(tmp_path_factory.mktemp("hostile"))}


@pytest.fixture
def limited(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "index", corpus_dir=tmp_path / "none", **HOSTILE.TEST_LIMITS)


def test_the_fixtures_are_small_on_disk(hostile) -> None:  # noqa: ANN001
    assert all(h.path.stat().st_size < 600_000 for h in hostile.values())


def test_each_hostile_file_is_refused_by_its_limit(hostile, limited: Settings) -> None:  # noqa: ANN001
    for name, h in hostile.items():
        if h.limit is None or name.endswith(".xlsx"):
            continue
        with pytest.raises(UnreadableFile) as err:
            parse_file(h.path, limited)
        assert h.limit in err.value.reason, (name, err.value.reason)
        assert "vượt giới hạn" in err.value.reason or "quá nhiều" in err.value.reason


def test_a_zip_bomb_is_refused_from_the_zip_directory_without_reading_a_part(hostile, limited: Settings,
                                                                             monkeypatch) -> None:  # noqa: ANN001
    import zipfile

    import docx

    opened: list[str] = []
    monkeypatch.setattr(docx, "Document", lambda *a, **k: opened.append("docx") or pytest.fail("read"))
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(str(name))
                        or real_open(self, name, *a, **k))
    with pytest.raises(UnreadableFile, match="ASSISTANT_MAX_UNZIPPED_MB") as err:
        read_file(hostile["bom_zip.docx"].path, limits=Limits.from_settings(limited))
    assert opened == []  # not one part was opened
    assert "12,1 MB" in err.value.reason and f"vượt giới hạn {mb(limited.max_unzipped_mb)}" in err.value.reason


def test_a_zip_bomb_lying_about_its_size_is_refused_before_a_reader_takes_a_whole_part(
        hostile, monkeypatch) -> None:  # noqa: ANN001
    """The directory says 4 KB. A reader asking for the whole part at once (python-docx does)
    could get up to 2 GB from one call; the check unzips in 1 MB pieces and the checksum fails."""
    import zipfile

    import docx

    monkeypatch.setattr(docx, "Document", lambda *a, **k: pytest.fail("python-docx read the file"))
    biggest: list[int] = []
    real_read = zipfile.ZipExtFile.read

    def read(self, n=-1):  # noqa: ANN001, ANN202
        assert n is not None and 0 < n <= 1024 * 1024, "a whole part was asked for at once"
        out = real_read(self, n)
        biggest.append(len(out))
        return out

    monkeypatch.setattr(zipfile.ZipExtFile, "read", read)
    with pytest.raises(UnreadableFile, match="bị hỏng") as err:
        read_file(hostile["bom_zip_khai_sai.docx"].path)
    assert "khai báo" in err.value.reason and max(biggest) <= 1024 * 1024


def test_pdf_page_contents_are_measured_before_any_text_is_extracted(hostile, limited: Settings,
                                                                     monkeypatch) -> None:  # noqa: ANN001
    from pypdf import PageObject

    extracted: list[int] = []
    real = PageObject.extract_text
    monkeypatch.setattr(PageObject, "extract_text", lambda self, *a, **k: extracted.append(1) or real(self, *a, **k))
    limits = Limits.from_settings(limited)
    for name in ("bom_luong.pdf", "bom_form.pdf", "nhieu_trang.pdf"):
        with pytest.raises(UnreadableFile, match=hostile[name].limit):
            read_file(hostile[name].path, limits=limits)
    assert extracted == []
    # the same files pass with room to spare, so it is the limit that refused them
    roomy = Limits(pdf_stream_mb=50, pdf_pages=100)
    assert "Hoa Lac" in read_file(hostile["nhieu_trang.pdf"].path, limits=roomy).text
    assert extracted


def test_a_text_flood_is_refused_before_cleaning_and_chunking(hostile, limited: Settings,
                                                             monkeypatch) -> None:  # noqa: ANN001
    import docx

    from assistant.ingest import parsing

    monkeypatch.setattr(parsing, "to_blocks", lambda *a, **k: pytest.fail("cleaned"))
    monkeypatch.setattr(docx, "Document", lambda *a, **k: pytest.fail("python-docx built the whole tree"))
    with pytest.raises(UnreadableFile, match="ASSISTANT_MAX_TEXT_CHARS"):
        parse_file(hostile["lu_chu.docx"].path, limited)
    big_txt = hostile["dong_dai.txt"].path.with_name("qua_dai.txt")
    big_txt.write_bytes(b"a" * (4 * limited.max_text_chars + 1))
    with pytest.raises(UnreadableFile, match="ASSISTANT_MAX_TEXT_CHARS"):  # refused from its size alone
        read_file(big_txt, limits=Limits.from_settings(limited))


def test_too_many_passages_are_refused_before_anything_is_embedded(hostile, limited: Settings) -> None:  # noqa: ANN001
    from tests.support.fake_embedder import HashEmbedder

    class Counting(HashEmbedder):
        calls = 0

        def embed_passages(self, texts, **kw):  # noqa: ANN001, ANN201
            Counting.calls += len(texts)
            return super().embed_passages(texts, **kw)

    good = FIXTURES / "ingest" / "xuan_phong_2025.docx"
    report = ingest(limited, [hostile["nhieu_doan.md"].path, good], embedder=Counting())
    assert report.added == [good.name]
    (name, reason), = report.failed
    assert name == "nhieu_doan.md" and "150 đoạn" in reason and "120 đoạn" in reason
    assert 0 < Counting.calls < 20  # only the good file's passages were embedded


def test_long_lines_without_punctuation_are_processed(hostile, limited: Settings) -> None:  # noqa: ANN001
    doc, chunks = parse_file(hostile["dong_dai.txt"].path, limited)
    assert len(chunks) > 100 and max(len(c.text) for c in chunks) <= limited.chunk_chars


def test_an_xlsx_figures_file_that_unzips_to_gigabytes_is_refused_unread(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import openpyxl

    from assistant.domain.figures import FiguresError, load_figures

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("opened"))
    f = HOSTILE.zip_bomb_xlsx(tmp_path / "so_lieu.xlsx", Limits().unzipped_mb + 20)
    assert f.stat().st_size < 600_000
    with pytest.raises(FiguresError, match="ASSISTANT_MAX_UNZIPPED_MB"):
        load_figures(f)


def test_the_cli_names_each_refused_file_and_its_limit(hostile, tmp_path: Path) -> None:  # noqa: ANN001
    env = {"ASSISTANT_EMBEDDINGS": "hash-test", "ASSISTANT_CORPUS_DIR": str(tmp_path / "none")}
    env |= {f"ASSISTANT_{k.upper()}": str(v) for k, v in HOSTILE.TEST_LIMITS.items()}
    files = [h.path for h in hostile.values() if h.limit and not h.path.name.endswith(".xlsx")]
    proc = run_cli(["ingest", "--json", *map(str, files)], index_dir=tmp_path / "index", env=env)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    failed = {f["file"]: f["reason"] for f in json.loads(proc.stdout)["failed"]}
    assert set(failed) == {f.name for f in files}
    for f in files:
        assert f"Không đọc được {f.name}: " in proc.stderr
        assert hostile[f.name].limit in failed[f.name]


def test_a_served_app_keeps_answering_while_each_hostile_upload_is_handled(seed_index: Settings,
                                                                           tmp_path: Path) -> None:
    """12 questions and one upload of every hostile file at the same instant (each its own browser
    session): every question is answered with its sources; every hostile upload is refused by
    its limit or processed within them (the timed version: scripts/bench_hostile.py serve)."""
    pytest.importorskip("gradio", reason="the web extra is not installed")
    pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    bench = _script("bench_hostile")
    (rnd,) = bench.serve_rounds(tmp_path, embeddings="hash-test", small=True, rounds=1, n_asks=12,
                                from_index=seed_index.index_dir)
    assert len(rnd.asks) == 12 and not [c.error for c in rnd.asks if c.error]
    assert all(c.answer.strip() and c.cited for c in rnd.asks)
    outcomes = {u.file: u for u in rnd.uploads}
    assert not [u.error for u in rnd.uploads if u.error]
    for name, u in outcomes.items():
        if name == "dong_dai.txt":
            assert u.outcome == "processed", u.message
        elif name == "bom_zip_khai_sai.docx":
            assert u.outcome == "refused" and "bị hỏng" in u.message
        else:
            assert u.outcome == "refused" and u.limit in u.message, (name, u.message)
    assert len(outcomes) == 9


def test_technical_detail_only_with_debug(tmp_path: Path) -> None:
    bad = FIXTURES / "bad" / "corrupt.pdf"
    for debug in (False, True):
        s = make_settings(tmp_path / f"index-{debug}", corpus_dir=tmp_path / "none", debug=debug)
        ((_, reason),) = ingest(s, [bad]).failed
        assert reason.startswith("tệp PDF bị hỏng")
        assert ("PdfStreamError" in reason) is debug


def test_a_refused_file_never_loads_the_embedding_model(hostile, seed_index: Settings, tmp_path: Path,
                                                        monkeypatch) -> None:  # noqa: ANN001
    import shutil

    from assistant.ingest import pipeline

    made: list[str] = []
    real = pipeline.make_embedder
    monkeypatch.setattr(pipeline, "make_embedder", lambda spec, **kw: made.append(spec) or real(spec, **kw))
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    s = make_settings(tmp_path / "index", corpus_dir=tmp_path / "none", **HOSTILE.TEST_LIMITS)
    report = ingest(s, [hostile["bom_zip.docx"].path, hostile["nhieu_trang.pdf"].path])
    assert len(report.failed) == 2 and made == []
    assert ingest(s, [FIXTURES / "ingest" / "xuan_phong_2025.docx"]).added and made == ["hash-test"]
