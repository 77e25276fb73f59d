"""The web upload takes scans, photos, .doc and .xls like any file (the same library ingest), and the
commune typed beside an upload labels that upload only. Through `gradio_client`, as in test_web.py.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from assistant.ingest.pipeline import ingest

from .conftest import CORPUS, FIXTURES, make_settings

SCANNED = FIXTURES / "scanned"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    """An app over the catalog only (no seed reports, so each answer can only come from an upload)."""
    missing = [t for t in ("tesseract", "pdftoppm", "soffice") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")
    client_mod = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    from assistant.web.app import build_app, launch

    root = tmp_path_factory.mktemp("webscans")
    shutil.copytree(CORPUS / "guidance", root / "corpus" / "guidance")
    settings = make_settings(root / "index", corpus_dir=root / "corpus")
    assert ingest(settings).ok
    demo = build_app(settings)
    url = launch(demo, settings, host="127.0.0.1", port=_free_port(), block=False, quiet=True)
    try:
        yield client_mod.Client(url, verbose=False, analytics_enabled=False), settings
    finally:
        demo.close()
        demo.assistant_context.close()


def test_scans_photos_doc_and_xls_are_uploaded_and_answered(app) -> None:
    from gradio_client import handle_file

    client, _ = app
    files = [SCANNED / n for n in ("tan_an_scan.pdf", "dai_son_photo.jpg", "xuan_phong_2025.doc")]
    message, table, _, _ = client.predict([handle_file(str(f)) for f in files], "", api_name="/tai_len")
    for f in files:
        assert f"✅ **{f.name}**: đã thêm vào kho." in message, message
    message, table, _, _ = client.predict([handle_file(str(SCANNED / "ninh_hai_so_lieu_2025.xls"))],
                                          "Ninh Hải", api_name="/tai_len")
    assert "✅ **ninh_hai_so_lieu_2025.xls**: đã thêm vào kho." in message, message
    communes = {row[-1].split(" ")[0]: row[1] for row in table["data"]}  # file (last column) -> commune
    titles = {row[-1].split(" ")[0]: row[0] for row in table["data"]}  # the page names sources by title
    # the commune typed for the second upload labels that upload only
    assert communes["ninh_hai_so_lieu_2025.xls"] == "Ninh Hải"
    assert (communes["tan_an_scan.pdf"], communes["dai_son_photo.jpg"], communes["xuan_phong_2025.doc"]) == (
        "Tân An", "Đại Sơn", "Xuân Phong")
    asked = {
        "Tân An có bao nhiêu ấp?": ("tan_an_scan.pdf", "17 ấp", True),
        "Xã Đại Sơn thành lập Tổ công nghệ số cộng đồng tại bao nhiêu thôn?": ("dai_son_photo.jpg", "11/11", True),
        "Xuân Phong có bao nhiêu thành viên Tổ công nghệ số cộng đồng?": ("xuan_phong_2025.doc", "98", False),
        "Ninh Hải có bao nhiêu hộ gia đình có cáp quang?": ("ninh_hai_so_lieu_2025.xls", "4215", False),
    }
    for question, (source, figure, ocr) in asked.items():
        chat, _, _ = client.predict(question, [], {}, "Tất cả các xã", api_name="/hoi_dap")
        final = _text(chat[-1])
        assert figure in final and titles[source][:60] in final, final
        assert ("đọc bằng OCR" in final) is ocr, final


def test_uploads_of_the_new_types_are_kept_not_refused(tmp_path: Path) -> None:
    from assistant.index.uploads import save_uploads

    settings = make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus")
    names = ["tan_an_scan.pdf", "dai_son_photo.jpg", "xuan_phong_2025.doc", "ninh_hai_so_lieu_2025.xls"]
    got = save_uploads(settings, [SCANNED / n for n in names])
    assert got.refused == [] and [p.name for _, p in got.saved] == names
