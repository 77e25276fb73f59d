"""The web app through `gradio_client` against a server on 127.0.0.1, plus its helpers.

The app runs over a copy of the `seed_index` (hash embedder) and a copy of the corpus, so
uploads and deletes never touch the shared index or the repository's files.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from assistant.index.uploads import safe_name, save_uploads, unique_path, upload_dir
from assistant.settings import Settings
from assistant.web.auth import (
    AuthFileError,
    hash_password,
    load_auth_file,
    make_checker,
    verify_password,
)

from .conftest import CORPUS, FIXTURES, make_settings, run_cli

INGEST = FIXTURES / "ingest"
FIGURES = FIXTURES / "figures"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_index(seed: Settings, dest: Path) -> Settings:
    """A private, writable copy of the seed index and of the corpus."""
    shutil.copytree(seed.index_dir, dest / "index")
    shutil.copytree(CORPUS, dest / "corpus")
    return make_settings(dest / "index", corpus_dir=dest / "corpus")


# ---------------------------------------------------------------- the running app


@pytest.fixture(scope="module")
def web(seed_index: Settings, tmp_path_factory: pytest.TempPathFactory):
    """(client factory, settings) for an app serving a private copy of the seed index."""
    pytest.importorskip("gradio", reason="the web extra is not installed (pip install -e '.[web]')")
    client_mod = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    from assistant.web.app import build_app, launch

    settings = _copy_index(seed_index, tmp_path_factory.mktemp("web"))
    demo = build_app(settings)
    url = launch(demo, settings, host="127.0.0.1", port=_free_port(), block=False, quiet=True)
    downloads = tmp_path_factory.mktemp("downloads")

    def client():  # one browser session each
        return client_mod.Client(url, verbose=False, analytics_enabled=False, download_files=str(downloads))

    try:
        yield client, settings
    finally:
        demo.close()
        demo.assistant_context.close()


def _text(message: dict) -> str:
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def test_ask_streams_the_answer_then_shows_expandable_citations(web) -> None:
    client, _ = web
    job = client().submit("Tân An có bao nhiêu ấp?", [], "Tất cả các xã", api_name="/hoi_dap")
    chat, _ = job.result(timeout=60)
    steps = [_text(out[0][-1]) for out in job.outputs()]
    final = _text(chat[-1])
    assert chat[0]["role"] == "user" and chat[-1]["role"] == "assistant"
    assert "17 ấp" in final
    # streamed: partial texts (with a cursor) came before the final message
    partial = [s for s in steps if s.endswith("▌")]
    assert len(partial) >= 2, steps
    assert len(partial[0]) < len(partial[-1])
    # every citation opens to its passage, with commune / document / section and the figure marked
    assert final.count("<details class='cite'>") >= 1
    assert "<b>Xã:</b> Tân An" in final and "003_7619b87458e9843f.txt" in final and "<b>Mục:</b>" in final
    assert "<mark>17</mark>" in final


def test_commune_filter_restricts_the_sources(web) -> None:
    client, _ = web
    chat, _ = client().predict("Có bao nhiêu Tổ công nghệ số cộng đồng?", [], "Giao Minh", api_name="/hoi_dap")
    final = _text(chat[-1])
    assert set(re.findall(r"<b>Xã:</b> ([^<]+)<br>", final)) == {"Giao Minh"}


def test_chat_history_is_per_session_and_exportable(web) -> None:
    client, _ = web
    mine, other = client(), client()
    mine.predict("Tân An có bao nhiêu ấp?", [], "Tất cả các xã", api_name="/hoi_dap")
    mine.predict("Xã Giao Minh có bao nhiêu Tổ công nghệ số cộng đồng?", [], "Tất cả các xã", api_name="/hoi_dap")
    data = json.loads(_path(mine.predict(api_name="/tai_lich_su_json")).read_text(encoding="utf-8"))
    assert [r["question"] for r in data] == ["Tân An có bao nhiêu ấp?",
                                             "Xã Giao Minh có bao nhiêu Tổ công nghệ số cộng đồng?"]
    assert data[0]["answer"]["citations"][0]["commune"] == "Tân An"
    md = _path(mine.predict(api_name="/tai_lich_su_md")).read_text(encoding="utf-8")
    assert "## 1. Tân An có bao nhiêu ấp?" in md and "17 ấp" in md and "[1] xã Tân An" in md
    empty = other.predict(api_name="/tai_lich_su_json")  # another browser has its own history
    assert (empty["value"] if isinstance(empty, dict) else empty) is None


def _path(out) -> Path:
    """A downloaded file from an output that may be a component update ({"value": path, …})."""
    return Path(out["value"] if isinstance(out, dict) else out)


def _draft_form(client) -> list:
    """The drafting form as the Đại Sơn figures file fills it."""
    form = client.predict(_file(FIGURES / "dai_son_2025.yaml"), api_name="/nap_so_lieu")
    assert form[-1].startswith("✅"), form[-1]
    return list(form[:7])


def _file(path: Path):
    from gradio_client import handle_file

    return handle_file(str(path))


def test_figures_file_fills_the_form_and_a_bad_file_says_why(web) -> None:
    client, _ = web
    c = client()
    commune, province, year, _period, indicators, _facts, observations = _draft_form(c)
    assert (commune, province, int(year)) == ("Đại Sơn", "Hải Phòng", 2025)
    rows = {r[0]: r for r in indicators["data"]}
    assert rows["Tỷ lệ hồ sơ TTHC xử lý trực tuyến"][1:3] == ["71,2%", "≥70%"]
    assert "Trụ sở UBND xã còn chật hẹp" in observations
    message = c.predict(_file(FIGURES / "bad.yaml"), api_name="/nap_so_lieu")[-1]
    assert "❌ bad.yaml: dòng 5, chỉ tiêu thứ 1, mục value: «71,2 %%» không phải là một con số" in message
    assert "is not" not in message and "unknown field" not in message


def test_draft_builds_the_whole_report_and_flags_an_invented_figure(web) -> None:
    client, _ = web
    c = client()
    form = _draft_form(c)
    out = c.predict(*form, True, True, api_name="/soan_thao")
    notes, ket_qua, _, ton_tai, check1, phuong_huong, check2, kien_nghi, _, cites, picks = out
    assert "Bản thảo cho xã Đại Sơn, năm 2025" in notes
    assert all(b["value"].strip() for b in (ket_qua, ton_tai, phuong_huong, kien_nghi))
    assert "Phương hướng" in phuong_huong["label"]
    assert "71,2%" in phuong_huong["value"]  # the commune's own figure, carried over
    assert "✓" in check1 and "✓" in check2  # everything the drafter wrote is traced
    assert "Đại Sơn" not in cites  # its own report is left out of the model passages
    # suggestions are highlighted in the preview and offered to keep or delete
    assert "class='suggestion'" in check1 and picks["choices"]
    # one numbering: each [n] of a box is entry n of "Nguồn trích dẫn"
    listed = dict(re.findall(r"data-n='(\d+)'>\[\d+\] ([^<]+)</li>", cites))
    texts = [b["value"] for b in (ket_qua, ton_tai, phuong_huong, kien_nghi)]
    assert {n for t in texts for n in re.findall(r"\[(\d+)\]", t)} == set(listed)
    # the officer edits the text and types a figure no source states: it is flagged
    edited = ton_tai["value"] + "\n- Tỷ lệ hộ dùng ví điện tử đạt 93,7%."
    boxes = (ket_qua["value"], edited, phuong_huong["value"], kien_nghi["value"])
    checks = c.predict(*boxes, api_name="/kiem_tra")
    assert "93,7%" in checks[1] and "unsupported" in checks[1] and "✓" in checks[2]
    docx = _path(c.predict(*boxes, api_name="/tai_docx"))
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "93,7%" in body and "ĐẠI SƠN" in body.upper()
    md = _path(c.predict(*boxes, api_name="/tai_md")).read_text(encoding="utf-8")
    assert md.startswith("# Bản thảo báo cáo chuyển đổi số – xã Đại Sơn – năm 2025")
    assert "Số liệu chưa đối chiếu được với nguồn: 93,7%" in md
    # keep the first suggestion, delete the others
    first = picks["choices"][0]
    first = first[0] if isinstance(first, list | tuple) else first
    applied = c.predict([first], *boxes, api_name="/ap_dung_goi_y")
    new_texts = [applied[i]["value"] for i in (0, 2, 4, 6)]
    assert not any("(gợi ý – cần xác nhận)" in t for t in new_texts)
    assert any(first in t.split("\n") for t in new_texts)
    assert applied[-1]["choices"] == []


def test_draft_form_errors_are_plain(web) -> None:
    from gradio_client.exceptions import AppError

    client, _ = web
    empty = {"headers": ["Chỉ tiêu", "Giá trị", "Mục tiêu của xã (nếu có)", "Ghi chú", "x"],
             "data": [["Tỷ lệ hồ sơ TTHC xử lý trực tuyến", "nhiều lắm", "", "", ""]]}
    facts = {"headers": ["Số liệu khác", "Giá trị"], "data": [["", ""]]}
    with pytest.raises(AppError, match="chỉ tiêu «Tỷ lệ hồ sơ TTHC xử lý trực tuyến»"):
        client().predict("Đại Sơn", "", 2025, "", empty, facts, "", True, True, api_name="/soan_thao")


def test_compare_shows_peers_side_by_side_with_differences(web) -> None:
    client, _ = web
    html = client().predict("Đại Sơn", "ton_tai", "", 2, api_name="/so_sanh")
    assert html.count("class='cmp-row'") >= 5
    heads = [h.split("·")[0].strip() for h in html.split("<div class='peer-head'>Xã ")[1:]]
    assert heads and "Đại Sơn" not in heads  # never compared with itself
    assert "class='peer-only'" in html and "class='own-only'" in html
    pasted = ("Tồn tại, hạn chế\n- Năng lực của các Tổ công nghệ số cộng đồng chưa đồng đều, "
              "hoạt động chưa có nhiều kết quả rõ nét.")
    html = client().predict("(Dán dự thảo bên dưới)", "ton_tai", pasted, 1, api_name="/so_sanh")
    assert html.count("class='cmp-row'") == 1 and "Tổ công nghệ số cộng đồng" in html


def test_indicator_chart_has_bars_per_commune_and_the_target_line(web) -> None:
    client, _ = web
    svg, detail = client().predict(None, "ho_so_tthc_truc_tuyen", api_name="/bieu_do_chi_tieu")
    assert svg.startswith("<svg") and "stroke-dasharray" in svg and "Mục tiêu ≥" in svg
    assert svg.count("<rect") == len(detail["data"]) >= 3
    by_commune = {row[0]: row for row in detail["data"]}
    assert by_commune["Đại Sơn"][1] == "71.2%" and "71.2%" in by_commune["Đại Sơn"][2]


def test_upload_good_and_bad_files_then_delete(web) -> None:
    client, settings = web
    c = client()
    message, table, summary, _ = c.predict(
        [_file(INGEST / "xuan_phong_2025.docx"), _file(INGEST / "bad_empty.txt"), _file(INGEST / "bad_unknown.xyz")],
        "", api_name="/tai_len")
    assert "✅ **xuan_phong_2025.docx**: đã thêm vào kho." in message
    assert "❌ **bad_empty.txt**: không đọc được — tệp rỗng (0 byte)." in message
    assert "❌ **bad_unknown.xyz**: không nhận — loại tệp '.xyz' không được hỗ trợ" in message
    row = next(r for r in table["data"] if r[0] == "xuan_phong_2025.docx")
    assert row[1] == "Xuân Phong" and row[6] == "Tải lên" and row[7] == "Dùng chung"
    assert sorted(p.name for p in upload_dir(settings).iterdir()) == ["xuan_phong_2025.docx"]
    # the app answers from the new document at once (its retriever was reloaded)
    chat, _ = c.predict("Xuân Phong có bao nhiêu thành viên Tổ công nghệ số cộng đồng?", [], "Tất cả các xã",
                        api_name="/hoi_dap")
    assert "xuan_phong_2025.docx" in _text(chat[-1])
    message, table, summary, _ = c.predict(["xuan_phong_2025.docx"], api_name="/xoa_tai_lieu")
    assert "Đã xoá **xuan_phong_2025.docx**" in message
    assert all(r[0] != "xuan_phong_2025.docx" for r in table["data"])
    assert list(upload_dir(settings).iterdir()) == []
    chat, _ = c.predict("Xuân Phong có bao nhiêu thành viên Tổ công nghệ số cộng đồng?", [], "Tất cả các xã",
                        api_name="/hoi_dap")
    assert "xuan_phong_2025.docx" not in _text(chat[-1])


def test_llm_answers_stream_token_by_token_and_untraceable_figures_are_marked(seed_index: Settings) -> None:
    pytest.importorskip("gradio", reason="the web extra is not installed")
    from assistant.web.context import WebContext
    from assistant.web.tab_qa import answer_html, answer_stream
    from tests.support import FakeChatModel

    reply = "Xã Tân An có 17 ấp [1]; riêng năm nay thêm 99 ấp mới [1]."
    ctx = WebContext(make_settings(seed_index.index_dir), llm=FakeChatModel([reply], chunk_chars=6))
    try:
        steps = list(answer_stream(ctx, "Tân An có bao nhiêu ấp?", None))
    finally:
        ctx.close()
    partial = [text for text, ans, _ in steps if ans is None]
    text, ans, titles = steps[-1]
    assert len(partial) >= 3 and all(partial[i] in partial[i + 1] for i in range(len(partial) - 1))
    assert ans.mode == "llm" and ans.unsupported_numbers == ["99"]
    html = answer_html(ans, titles)
    assert "<mark class=\"unsupported\"" in html and "⟦99⟧" in html
    assert "⟦99⟧" in partial[-1]  # already marked while it streamed


def test_login_is_required_when_auth_is_configured(seed_index: Settings, tmp_path: Path) -> None:
    pytest.importorskip("gradio", reason="the web extra is not installed")
    client_mod = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    from assistant.web.app import build_app, launch

    check = make_checker({"canbo": hash_password("mat-khau-dai")})
    settings = make_settings(seed_index.index_dir)  # read only: no upload in this test
    demo = build_app(settings)
    url = launch(demo, settings, host="127.0.0.1", port=_free_port(), auth=check, block=False, quiet=True)
    try:
        with pytest.raises(Exception, match="(?i)login|auth|401|credentials"):
            client_mod.Client(url, verbose=False, analytics_enabled=False, auth=("canbo", "sai"))
        ok = client_mod.Client(url, verbose=False, analytics_enabled=False, auth=("canbo", "mat-khau-dai"))
        chat, _ = ok.predict("Tân An có bao nhiêu ấp?", [], "Tất cả các xã", api_name="/hoi_dap")
        assert "17 ấp" in _text(chat[-1])
    finally:
        demo.close()
        demo.assistant_context.close()


# ---------------------------------------------------------------- helpers (no browser, no server)


@pytest.mark.parametrize(("name", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("Báo cáo xã A (2025).DOCX", "Báo_cáo_xã_A_2025.docx"),
    ("Bao cao xa\u0301.txt", "Bao_cao_xá.txt"),  # decomposed accent -> NFC
    (".hidden.pdf", "hidden.pdf"),
    ("/", "tai_lieu"),
])
def test_upload_names_are_sanitised(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_uploads_get_unique_names_and_respect_the_size_limit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus", max_file_mb=0.001)
    small, big, odd = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.exe"
    small.write_text("x" * 100)
    big.write_text("x" * 5000)
    odd.write_text("x")
    got = save_uploads(settings, [small, small, big, odd], taken_names=["a-2.txt"])
    assert [p.name for _, p in got.saved] == ["a.txt", "a-3.txt"]
    assert all(p.parent == upload_dir(settings) for _, p in got.saved)
    reasons = dict(got.refused)
    assert "vượt giới hạn 0.001 MB" in reasons["b.txt"] and "không được hỗ trợ" in reasons["c.exe"]
    assert unique_path(upload_dir(settings), "a.txt").name == "a-2.txt"


def test_delete_documents_removes_rows_vectors_keyword_hits_and_the_uploaded_file(
        seed_index: Settings, tmp_path: Path) -> None:
    from assistant.index.library import delete_documents
    from assistant.index.store import IndexStore
    from assistant.ingest.pipeline import ingest
    from assistant.qa.retriever import Retriever

    settings = _copy_index(seed_index, tmp_path)
    up = upload_dir(settings)
    up.mkdir()
    shutil.copy(INGEST / "xuan_phong_2025.docx", up / "xuan_phong_2025.docx")
    assert ingest(settings, [up / "xuan_phong_2025.docx"]).added == ["xuan_phong_2025.docx"]
    store = IndexStore.open(settings.index_dir)
    ids = store.chunk_ids(["xuan_phong_2025.docx"])
    store.close()
    rep = delete_documents(settings, ["xuan_phong_2025.docx", "no_such_doc"])
    assert rep.deleted == ["xuan_phong_2025.docx"] and rep.missing == ["no_such_doc"]
    assert rep.files_removed == ["xuan_phong_2025.docx"] and not (up / "xuan_phong_2025.docx").exists()
    r = Retriever(settings)
    try:
        assert "Xuân Phong" not in r.communes
        assert not r.vectors.ids() & set(ids)
        assert all(h.chunk.doc_id != "xuan_phong_2025.docx" for h in r.search("Xuân Phong thành viên", k=20))
    finally:
        r.close()
    # a bundled report is removed from the index but its file stays in the corpus
    rep = delete_documents(settings, ["003_7619b87458e9843f.txt"])
    assert rep.deleted and not rep.files_removed
    assert (settings.corpus_dir / "reports" / "003_7619b87458e9843f.txt").exists()


def test_index_changes_wait_for_running_requests_and_reload(seed_index: Settings) -> None:
    from assistant.web.context import WebContext

    ctx = WebContext(make_settings(seed_index.index_dir))
    order: list[str] = []

    def change() -> None:
        with ctx.maintenance():
            order.append("index changed")

    try:
        with ctx.reading() as before:
            worker = threading.Thread(target=change)
            worker.start()
            time.sleep(0.3)  # the change must wait for this request
            order.append("request done")
        worker.join(30)
        with ctx.reading() as after:
            assert after is not before and after.retriever.communes == before.retriever.communes
        assert order == ["request done", "index changed"]
    finally:
        ctx.close()


def test_auth_file_hashes_and_errors(tmp_path: Path) -> None:
    encoded = hash_password("mat-khau-dai")
    assert verify_password("mat-khau-dai", encoded) and not verify_password("mat-khau-dai!", encoded)
    assert encoded != hash_password("mat-khau-dai")  # salted
    good = tmp_path / "users"
    good.write_text(f"# tài khoản\ncanbo:{encoded}\n", encoding="utf-8")
    check = make_checker(load_auth_file(good))
    assert asyncio.run(check("canbo", "mat-khau-dai"))
    assert not asyncio.run(check("canbo", "x")) and not asyncio.run(check("khac", "mat-khau-dai"))
    bad = tmp_path / "bad"
    bad.write_text("canbo:plaintext\n", encoding="utf-8")
    with pytest.raises(AuthFileError, match="bad: dòng 1"):
        load_auth_file(bad)
    with pytest.raises(AuthFileError, match="không đọc được"):
        load_auth_file(tmp_path / "missing")


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.0.1.1", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False),
])
def test_only_loopback_hosts_run_without_a_login(host: str, loopback: bool) -> None:
    from assistant.cli.serve import is_loopback

    assert is_loopback(host) is loopback


def test_serve_refuses_a_public_host_without_auth(tmp_path: Path) -> None:
    proc = run_cli(["serve", "--host", "0.0.0.0"], index_dir=tmp_path / "index")
    assert proc.returncode == 2
    assert "ASSISTANT_AUTH_FILE" in proc.stderr and "Traceback" not in proc.stderr
    bad = tmp_path / "users"
    bad.write_text("nobody\n", encoding="utf-8")
    proc = run_cli(["serve", "--host", "0.0.0.0"], index_dir=tmp_path / "index",
                   env={"ASSISTANT_AUTH_FILE": str(bad)})
    assert proc.returncode == 2 and "users: dòng 1" in proc.stderr and "Traceback" not in proc.stderr


def test_hash_password_command_prints_a_usable_line(tmp_path: Path) -> None:
    proc = run_cli(["hash-password", "canbo", "--password", "mat-khau-dai"], index_dir=tmp_path / "index")
    assert proc.returncode == 0, proc.stderr
    users = tmp_path / "users"
    users.write_text(proc.stdout, encoding="utf-8")
    assert asyncio.run(make_checker(load_auth_file(users))("canbo", "mat-khau-dai"))


def test_serve_with_a_broken_gradio_is_a_plain_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from assistant.cli.main import main

    for name in [m for m in sys.modules if m == "assistant.web.app" or m.startswith("assistant.web.tab_")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "gradio", None)  # import gradio -> ImportError
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "gradio" in result.output and "pip install" in result.output


def test_the_core_never_imports_gradio() -> None:
    code = ("import sys, assistant.cli.main, assistant.app, assistant.qa.retriever, assistant.qa.extractive, "
            "assistant.compare.peers, assistant.indicators.table, assistant.drafting, assistant.cli.serve, "
            "assistant.index.uploads, assistant.index.library, assistant.web.auth; "
            "print('gradio' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
