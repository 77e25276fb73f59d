"""The command line as a user runs it, on the bundled corpus with the real default embedder."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import run_cli


def test_ask_tan_an_hamlets_cites_the_tan_an_report(e5_index: Path):
    proc = run_cli(["ask", "Tân An có bao nhiêu ấp?"], index_dir=e5_index)
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert "17" in first and "[1]" in first
    assert "[1] xã Tân An — 003_7619b87458e9843f.txt" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_ask_json_contract(e5_index: Path):
    proc = run_cli(["ask", "tan an co bao nhieu ap", "--json", "--k", "3"], index_dir=e5_index)
    data = json.loads(proc.stdout)
    assert {"answer", "citations", "mode"} <= set(data)
    assert data["mode"] == "extractive" and "17 ấp" in data["answer"]
    assert len(data["citations"]) <= 3
    c = data["citations"][0]
    assert {"n", "doc_id", "source", "commune", "section", "text"} <= set(c)  # the contract; extended
    assert c["published"] is True and c["owner"] == ""  # with provenance: the bundled corpus
    assert c["n"] == 1 and c["commune"] == "Tân An" and "17 ấp" in c["text"]


def test_search_json_and_exclude_commune(e5_index: Path):
    proc = run_cli(["search", "trụ sở chật hẹp", "--json", "--k", "4", "--exclude-commune", "Đại Sơn"],
                   index_dir=e5_index)
    data = json.loads(proc.stdout)
    assert len(data["results"]) == 4
    for r in data["results"]:
        assert set(r) == {"doc_id", "source", "commune", "title", "section", "section_kind", "text", "score"}
        assert r["commune"] != "Đại Sơn"


def test_batch_keeps_ids_in_order(e5_index: Path):
    lines = "\n".join(json.dumps({"id": i, "q": q}, ensure_ascii=False) for i, q in
                      [("a", "Xã An Khánh có bao nhiêu thôn?"), (7, "Giao Minh có bao nhiêu máy scan?")])
    proc = run_cli(["ask", "--batch", "-"], index_dir=e5_index, stdin=lines + "\n")
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7]
    assert all("answer" in o and "citations" in o for o in out)
    proc = run_cli(["search", "--batch", "-", "--k", "2"], index_dir=e5_index, stdin=lines)
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7] and all(len(o["results"]) == 2 for o in out)


def test_bad_batch_line_is_a_plain_message(e5_index: Path):
    proc = run_cli(["ask", "--batch", "-"], index_dir=e5_index, stdin='{"id": 1, "q": "ok"}\nnot json\n')
    assert proc.returncode == 2
    assert "stdin: line 2: not valid JSON" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_target_question_answered_from_the_catalog(e5_index: Path):
    proc = run_cli(["ask", "Chỉ tiêu tỷ lệ hồ sơ xử lý trực tuyến toàn trình theo Kế hoạch 02 là bao nhiêu?",
                    "--json"], index_dir=e5_index)
    data = json.loads(proc.stdout)
    assert data["mode"] == "catalog"
    assert "80%" in data["answer"] and "Kế hoạch 02" in data["answer"]
    assert "độ tin cậy" in data["answer"]


def test_eval_prints_metrics(e5_index: Path, tmp_path: Path):
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"id": "x", "q": "Tân An có bao nhiêu ấp?", "commune": "Tân An",
                              "seed": "003_7619b87458e9843f.txt", "answer": r"\b17\b"}) + "\n", encoding="utf-8")
    proc = run_cli(["eval", str(qa), "--json", "--mode", "hybrid"], index_dir=e5_index)
    data = json.loads(proc.stdout)
    assert data["hit@5"] == 1.0 and data["answer_accuracy"] == 1.0 and data["questions"] == 1


def test_ingest_reports_bad_files_and_exits_nonzero(e5_index: Path, tmp_path: Path):
    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    proc = run_cli(["ingest", str(bad)], index_dir=e5_index)
    assert proc.returncode == 1
    assert "hong.pdf" in proc.stderr and "Traceback" not in proc.stderr
    docs = json.loads(run_cli(["docs", "--json"], index_dir=e5_index).stdout)
    assert docs["index"]["documents"] == 6


def test_first_use_builds_the_index_with_a_message(tmp_path: Path):
    proc = run_cli(["search", "Gia Phúc Tổ công nghệ số", "--k", "1"], index_dir=tmp_path / "idx",
                   env={"ASSISTANT_EMBEDDINGS": "none"})
    assert proc.returncode == 0, proc.stderr
    assert "Chưa có chỉ mục" in proc.stderr
    assert "Gia Phúc" in proc.stdout


def test_unknown_embedder_setting_is_a_plain_message(tmp_path: Path):
    proc = run_cli(["search", "x"], index_dir=tmp_path / "idx", env={"ASSISTANT_EMBEDDINGS": "bogus"})
    assert proc.returncode == 2 and "ASSISTANT_EMBEDDINGS" in proc.stderr and "Traceback" not in proc.stderr
