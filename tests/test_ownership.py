"""Unpublished drafts belong to their commune: core access rules, the index view, and the web app
with logins (one account per commune plus province staff) through `gradio_client`."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.index.access import Viewer, hidden_documents
from assistant.index.store import IndexStore
from assistant.ingest.pipeline import ingest
from assistant.qa.retriever import Filters
from assistant.settings import Settings

from .conftest import CORPUS, FIXTURES, make_settings, run_cli

INGEST = FIXTURES / "ingest"
DRAFT = "xuan_phong_2025.docx"
QUESTION = "Xuân Phong có bao nhiêu thành viên Tổ công nghệ số cộng đồng?"


# ---------------------------------------------------------------- the rules


def test_who_reads_and_changes_what() -> None:
    own, other = Viewer.account("xp1", "Xuân Phong"), Viewer.account("hl", "Hòa Lạc")
    staff, anonymous = Viewer.account("tinh", "*"), Viewer(user="ai-do")
    draft = {"published": 0, "owner": "Xuân Phong"}
    shared = {"published": 1, "owner": "Xuân Phong"}
    bundled = {"published": 1, "owner": None}
    assert own.can_read(draft) and Viewer.account("xp2", "XUÂN  phong").can_read(draft)  # same commune
    assert not Viewer.account("xp3", "xuan phong").can_read(draft)  # tone marks are part of the name
    assert not other.can_read(draft) and not anonymous.can_read(draft)
    assert staff.can_read(draft) and Viewer.local().can_read(draft)
    assert all(v.can_read(shared) and v.can_read(bundled) for v in (own, other, anonymous))
    assert own.can_change(shared) and not other.can_change(shared)
    assert not own.can_change(bundled) and staff.can_change(bundled)
    assert Viewer.account("lan").group == "lan"  # no commune: a group of one
    private = {"a.docx": "Xuân Phong", "b.docx": "Hòa Lạc"}
    assert hidden_documents(private, own) == {"b.docx"}
    assert hidden_documents(private, anonymous) == {"a.docx", "b.docx"}
    assert hidden_documents(private, staff) == frozenset()


# ---------------------------------------------------------------- the index


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled corpus plus one unpublished upload of Xuân Phong (owner and status in its sidecar)."""
    return _with_draft(tmp_path_factory.mktemp("owned"))


def _with_draft(root: Path) -> Settings:
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    uploads = corpus / "uploads"
    uploads.mkdir()
    shutil.copy(INGEST / DRAFT, uploads / DRAFT)
    (uploads / f"{DRAFT}.meta.yaml").write_text("owner: Xuân Phong\npublished: false\n", encoding="utf-8")
    s = make_settings(root / "index", corpus_dir=corpus)
    assert ingest(s).ok
    return s


def test_a_draft_is_invisible_to_other_communes_everywhere(drafted: Settings) -> None:
    base = Assistant(drafted)
    try:
        assert base.retriever.private == {DRAFT: "Xuân Phong"}
        other = base.for_viewer(Viewer.account("hl", "Hòa Lạc"))
        own = base.for_viewer(Viewer.account("xp", "Xuân Phong"))
        for mode in ("bm25", "dense", "hybrid"):
            assert any(r.chunk.doc_id == DRAFT for r in own.retriever.search(QUESTION, k=5, mode=mode)), mode
            assert all(r.chunk.doc_id != DRAFT for r in other.retriever.search(QUESTION, k=50, mode=mode)), mode
        # even when asked for by id, or through its commune
        assert other.retriever.search(QUESTION, k=5, filters=Filters(doc_ids=[DRAFT])) == []
        assert "Xuân Phong" in own.retriever.communes and "Xuân Phong" not in other.retriever.communes
        assert all(c.doc_id != DRAFT for c in other.retriever.chunks)
        draft_chunk = next(c for c in own.retriever.chunks if c.doc_id == DRAFT)
        assert other.retriever.chunk(draft_chunk.chunk_id) is None
        assert DRAFT in {c.source for c in own.answerer.ask(QUESTION).citations}
        assert DRAFT not in {c.source for c in other.answerer.ask(QUESTION).citations}
        # the shared corpus is the same for both
        q = "Tân An có bao nhiêu ấp"
        assert [r.chunk.chunk_id for r in own.retriever.search(q, k=3)] == \
               [r.chunk.chunk_id for r in other.retriever.search(q, k=3)]
    finally:
        base.close()


def test_a_rebuild_keeps_the_draft_private(drafted: Settings, tmp_path: Path) -> None:
    s = make_settings(tmp_path / "index", corpus_dir=drafted.corpus_dir)
    assert ingest(s, rebuild=True).ok
    store = IndexStore.open(s.index_dir)
    try:
        assert store.private_documents() == {DRAFT: "Xuân Phong"}
    finally:
        store.close()


def test_an_index_from_before_drafts_opens_with_everything_shared(seed_index: Settings, tmp_path: Path) -> None:
    shutil.copytree(seed_index.index_dir, tmp_path / "index")
    gen = IndexStore.current_gen(tmp_path / "index")
    db = sqlite3.connect(tmp_path / "index" / gen / "chunks.sqlite")
    db.execute("ALTER TABLE documents DROP COLUMN published")  # the schema of the first release
    db.commit()
    db.close()
    store = IndexStore.open(tmp_path / "index")
    try:
        docs = store.documents()
        assert docs and all(d["published"] == 1 for d in docs) and store.private_documents() == {}
    finally:
        store.close()


def test_a_sidecar_with_a_bad_published_value_is_refused_by_name(tmp_path: Path) -> None:
    f = tmp_path / "bao_cao.txt"
    f.write_text("UBND xã Hòa Lạc\nBÁO CÁO kết quả chuyển đổi số năm 2025\nXã có 12 điểm wifi.\n", encoding="utf-8")
    (tmp_path / "bao_cao.txt.meta.yaml").write_text("published: chua\n", encoding="utf-8")
    report = ingest(make_settings(tmp_path / "index", corpus_dir=tmp_path / "none"), [f])
    assert report.failed and "published" in report.failed[0][1] and "bao_cao.txt.meta.yaml" in report.failed[0][1]


def test_library_changes_check_the_owner(tmp_path: Path) -> None:
    from assistant.index.library import delete_documents, set_published

    root = tmp_path
    s = _with_draft(root)
    other, own = Viewer.account("hl", "Hòa Lạc"), Viewer.account("xp", "Xuân Phong")
    assert set_published(s, [DRAFT], True, other).refused == [(DRAFT, "không có trong kho")]
    rep = delete_documents(s, [DRAFT, "000_bc6a550855c708f7.txt"], other)
    assert rep.deleted == [] and rep.missing == [DRAFT] and rep.refused == ["000_bc6a550855c708f7.txt"]
    assert set_published(s, ["000_bc6a550855c708f7.txt"], False, own).refused == \
        [("000_bc6a550855c708f7.txt", "tài liệu của kho gốc luôn dùng chung")]
    assert set_published(s, [DRAFT], True, own).changed == [DRAFT]
    assert "published: true" in (root / "corpus" / "uploads" / f"{DRAFT}.meta.yaml").read_text(encoding="utf-8")
    rep = delete_documents(s, [DRAFT], other)
    assert rep.refused == [DRAFT] and rep.deleted == []
    assert delete_documents(s, [DRAFT], own).deleted == [DRAFT]
    assert not (root / "corpus" / "uploads" / DRAFT).exists()


# ---------------------------------------------------------------- the web app with logins

PASSWORD = "mat-khau-dai"
ACCOUNTS = {"xp": "Xuân Phong", "hl": "Hòa Lạc", "tinh": "*"}


@pytest.fixture(scope="module")
def served(seed_index: Settings, tmp_path_factory: pytest.TempPathFactory):
    """A client factory per user, and settings, for an app with one account per commune."""
    pytest.importorskip("gradio", reason="the web extra is not installed (pip install -e '.[web]')")
    client_mod = pytest.importorskip("gradio_client", reason="gradio_client is not installed")
    from assistant.web.app import build_app, launch
    from assistant.web.auth import hash_password, make_checker

    from .test_web import _copy_index, _free_port

    settings = _copy_index(seed_index, tmp_path_factory.mktemp("owned-web"))
    encoded = hash_password(PASSWORD)
    demo = build_app(settings, accounts=ACCOUNTS)
    url = launch(demo, settings, host="127.0.0.1", port=_free_port(), block=False, quiet=True,
                 auth=make_checker(dict.fromkeys(ACCOUNTS, encoded)))
    downloads = tmp_path_factory.mktemp("owned-downloads")

    def client(user: str):
        return client_mod.Client(url, verbose=False, analytics_enabled=False, auth=(user, PASSWORD),
                                 download_files=str(downloads))

    try:
        yield client, settings
    finally:
        demo.close()
        demo.assistant_context.close()


def _ask(c, question: str) -> str:  # noqa: ANN001 - gradio_client.Client
    from .test_web import _text

    chat, _ = c.predict(question, [], "Tất cả các xã", api_name="/hoi_dap")
    return _text(chat[-1])


def test_an_uploaded_draft_stays_with_its_commune_until_published(served) -> None:
    from .test_web import _file

    client, settings = served
    xp, hl, tinh = client("xp"), client("hl"), client("tinh")
    message, table, _, chosen = xp.predict([_file(INGEST / DRAFT)], "", False, api_name="/tai_len")
    assert "đã thêm vào kho" in message and "bản nháp" in message
    row = next(r for r in table["data"] if r[0] == DRAFT)
    assert row[7] == "Bản nháp (Xuân Phong)"
    assert "published: false" in (settings.corpus_dir / "uploads" / f"{DRAFT}.meta.yaml").read_text(encoding="utf-8")

    assert DRAFT in _ask(xp, QUESTION)
    assert DRAFT not in _ask(hl, QUESTION)
    assert DRAFT in _ask(tinh, QUESTION)  # province staff read every draft

    # another commune cannot list, delete or publish it (it is not among its choices)
    _, table, _, chosen = hl.predict([], api_name="/xoa_tai_lieu")
    assert all(r[0] != DRAFT for r in table["data"])
    for api in ("/xoa_tai_lieu", "/cong_bo"):
        with pytest.raises(Exception, match="not in the list of choices"):
            hl.predict([DRAFT], api_name=api)
    with pytest.raises(Exception, match="cán bộ tỉnh"):
        hl.predict(api_name="/xay_dung_lai")
    assert DRAFT in _ask(xp, QUESTION)  # nothing was lost

    message, table, _, _ = xp.predict([DRAFT], api_name="/cong_bo")
    assert f"Đã công bố **{DRAFT}**" in message
    assert next(r for r in table["data"] if r[0] == DRAFT)[7] == "Dùng chung"
    assert DRAFT in _ask(hl, QUESTION)

    with pytest.raises(Exception, match="not in the list of choices"):  # shared now, but still not theirs
        hl.predict([DRAFT], api_name="/xoa_tai_lieu")
    message, *_ = xp.predict([DRAFT], api_name="/xoa_tai_lieu")
    assert f"Đã xoá **{DRAFT}**" in message
    assert list((settings.corpus_dir / "uploads").iterdir()) == []  # the file and its sidecar


def test_hash_password_line_carries_the_commune(tmp_path: Path) -> None:
    from assistant.web.auth import load_accounts, verify_password

    proc = run_cli(["hash-password", "xp", "--password", PASSWORD, "--commune", " Xuân  Phong "],
                   index_dir=tmp_path / "index")
    assert proc.returncode == 0, proc.stderr
    users = tmp_path / "users.txt"
    users.write_text(proc.stdout + "tinh:" + proc.stdout.split(":")[1].strip() + ":*\n", encoding="utf-8")
    accounts = load_accounts(users)
    assert accounts["xp"][1] == "Xuân Phong" and accounts["tinh"][1] == "*"
    assert verify_password(PASSWORD, accounts["xp"][0])
