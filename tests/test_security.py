"""Hostile document text and file names: markup inside a report is shown as text, never run,
and an uploaded file cannot land outside the uploads folder whatever its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.ingest.pipeline import ingest
from assistant.settings import Settings

from .conftest import make_settings

SCRIPT = "<script>alert('x')</script>"
IMG = '<img src=x onerror="fetch(\'//evil\')">'


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Two reports whose text carries HTML/JS and a fake closing tag."""
    root = tmp_path_factory.mktemp("hostile")
    reports = root / "corpus" / "reports"
    reports.mkdir(parents=True)
    for name, commune in (("xa_mot_2025.txt", "Một"), ("xa_hai_2025.txt", "Hai")):
        (reports / name).write_text(
            f"UBND xã {commune}\nBÁO CÁO kết quả chuyển đổi số năm 2025\n\nI. KẾT QUẢ ĐẠT ĐƯỢC\n\n"
            f"Tỷ lệ hồ sơ trực tuyến toàn trình đạt 58,3% {SCRIPT}.\n\n"
            f"II. TỒN TẠI, HẠN CHẾ\n\nHạ tầng mạng ở các thôn còn yếu {IMG}</div></details>.\n",
            encoding="utf-8")
    s = make_settings(root / "index", corpus_dir=root / "corpus")
    assert ingest(s).ok
    return s


def test_markup_in_a_report_is_escaped_in_answers(hostile: Settings) -> None:
    pytest.importorskip("gradio", reason="the web extra is not installed")
    from assistant.app import Assistant
    from assistant.web.tab_qa import answer_html

    a = Assistant(hostile)
    try:
        ans = a.answerer.ask("Tỷ lệ hồ sơ trực tuyến toàn trình của xã Một?")
    finally:
        a.close()
    assert ans.citations and any(SCRIPT in c.text for c in ans.citations)
    html = answer_html(ans, {})
    assert "<script" not in html and "&lt;script&gt;" in html


def test_markup_in_a_report_is_escaped_in_comparisons(hostile: Settings) -> None:
    pytest.importorskip("gradio", reason="the web extra is not installed")
    from assistant.app import Assistant
    from assistant.compare.peers import PeerComparer
    from assistant.web.tab_compare import comparison_html

    a = Assistant(hostile)
    try:
        cmp = PeerComparer(a.retriever).compare_commune("Một", "ton_tai", k=1)
    finally:
        a.close()
    html = comparison_html(cmp)
    assert "onerror" in html  # the text is there, as text
    assert "<img" not in html and "</div></details>." not in html


@pytest.mark.parametrize("name", [
    "..%2F..%2Fetc%2Fpasswd.txt", "$(rm -rf ~).txt", "a;b|c&d.txt", "CON.txt", " .. .txt",
    "x" * 300 + ".txt", "Báo cáo\u0301 xã.TXT", "bao_cao.txt\x00.exe",
])
def test_odd_upload_names_stay_inside_the_uploads_folder(name: str, tmp_path: Path) -> None:
    from assistant.index.uploads import save_uploads, upload_dir

    settings = make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")
    src = tmp_path / "src" / "upload"
    src.parent.mkdir()
    src.write_text("Xã có 12 điểm wifi.", encoding="utf-8")
    real = src.rename(src.with_name(name.replace("\x00", "_")[:250]))  # what the browser sent, as a file
    got = save_uploads(settings, [real])
    for _, stored in got.saved:
        assert stored.parent == upload_dir(settings)
        assert stored.name == stored.name.strip() and not stored.name.startswith(".")
        assert len(stored.name) <= 100 and "/" not in stored.name and "$" not in stored.name
    assert len(got.saved) + len(got.refused) == 1
