"""The command line's contract, as the README's command reference states it: the commands, their
flags and choices, the keys of every `--json` output and the `ASSISTANT_*` variables.

Scripts and the web app's users rely on these names; a renamed flag or a dropped JSON key must
fail here before it reaches them. Runs the real entry point (`python -m tests.support.cli`) on
the bundled corpus indexed with the hash embedder.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from assistant.settings import Settings

from .conftest import FIXTURES, REPO_DIR, run_cli

HASH = {"ASSISTANT_EMBEDDINGS": "hash-test"}
FIGURES = FIXTURES / "drafting" / "dai_son_2025.yaml"

# command -> the options its --help must list (README "Commands", "Drafting", "Peer comparison",
# "Reliability and deployment")
FLAGS: dict[str, set[str]] = {
    "ingest": {"--rebuild", "--commune", "--json"},
    "search": {"--k", "--commune", "--exclude-commune", "--section", "--mode", "--json", "--batch"},
    "ask": {"--k", "--json", "--batch", "--no-stream"},
    "chat": {"--k", "--json", "--no-stream"},
    "eval": {"--mode", "--json", "--show-failures"},
    "docs": {"--json"},
    "serve": {"--host", "--port"},
    "hash-password": {"--commune", "--password"},
    "draft": {"--section", "--no-suggestions", "--exclude-commune", "--json", "--md", "--docx", "--citations"},
    "compare": {"--commune", "--text", "--section", "--k", "--json"},
    "indicators": {"--json", "--csv", "--figures"},
    "doctor": {"--json", "--remove-orphans"},
}
# (command, option) -> the values its --help must offer
CHOICES: dict[tuple[str, str], set[str]] = {
    ("search", "--mode"): {"hybrid", "bm25", "dense"},
    ("eval", "--mode"): {"hybrid", "bm25", "dense"},
    ("search", "--section"): {"ket_qua", "ton_tai", "de_xuat", "phuong_huong", "chi_tieu"},
    ("draft", "--section"): {"ket_qua", "ton_tai", "phuong_huong", "kien_nghi", "all"},
    ("draft", "--citations"): {"annex", "footnotes", "none"},
    ("compare", "--section"): {"ket_qua", "ton_tai", "de_xuat", "phuong_huong", "all"},
}
ANSWER_KEYS = {"answer", "citations", "mode", "warnings", "unsupported_numbers", "found", "kind"}
CITATION_KEYS = {"n", "doc_id", "source", "commune", "section", "text", "owner", "uploaded_by", "published"}


def _help(*args: str) -> str:
    proc = run_cli([*args, "--help"], index_dir=REPO_DIR / "no-index")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _options(help_text: str) -> set[str]:
    """The long options an Options: section of click's --help lists."""
    options = help_text.split("Options:", 1)[1]
    return set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z0-9-]*)", options, re.MULTILINE))


def _json(index_dir: Path, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> dict:
    proc = run_cli(list(args), index_dir=index_dir, stdin=stdin, env={**HASH, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


# ----------------------------------------------------------------------------- commands and flags


def test_the_commands_are_the_documented_ones() -> None:
    text = _help()
    listed = set(re.findall(r"^  ([a-z][a-z-]*)\s", text.split("Commands:", 1)[1], re.MULTILINE))
    assert listed == set(FLAGS)
    assert {"--index-dir", "--verbose", "--version"} <= _options(text)


@pytest.mark.parametrize("command", sorted(FLAGS))
def test_each_command_keeps_its_flags(command: str) -> None:
    missing = FLAGS[command] - _options(_help(command))
    assert not missing, f"`assistant {command}` lost {sorted(missing)}"


@pytest.mark.parametrize(("command", "option"), sorted(CHOICES))
def test_choice_flags_keep_their_values(command: str, option: str) -> None:
    text = " ".join(_help(command).split())  # click wraps long choice lists
    m = re.search(re.escape(option) + r" \[([a-z0-9_|]+)\]", text)
    assert m, f"`assistant {command} {option}` shows no choices"
    assert CHOICES[command, option] <= set(m.group(1).split("|"))


def test_the_positional_arguments_are_the_documented_ones() -> None:
    usage = {c: _help(c).splitlines()[0] for c in ("ingest", "search", "ask", "eval", "draft", "hash-password")}
    assert usage["ingest"].endswith("ingest [OPTIONS] [PATHS]...")
    assert usage["search"].endswith("search [OPTIONS] [QUERY]")
    assert usage["ask"].endswith("ask [OPTIONS] [QUESTION]")
    assert usage["eval"].endswith("eval [OPTIONS] QA_FILE")
    assert usage["draft"].endswith("draft [OPTIONS] FIGURES")
    assert usage["hash-password"].endswith("hash-password [OPTIONS] USER")


# ----------------------------------------------------------------------------- JSON outputs


def test_ingest_json_reports_what_it_did(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "reports"
    corpus.mkdir(parents=True)
    shutil.copy(FIXTURES / "ingest" / "xuan_phong_2025.docx", corpus)
    report = _json(tmp_path / "index", "ingest", "--json", env={"ASSISTANT_CORPUS_DIR": str(corpus.parent)})
    assert {"added", "updated", "unchanged", "failed", "chunks", "orphans"} <= set(report)
    assert report["added"] == ["xuan_phong_2025.docx"] and report["failed"] == [] and report["chunks"] > 0


def test_search_json(seed_index: Settings) -> None:
    data = _json(seed_index.index_dir, "search", "tổ công nghệ số cộng đồng", "--k", "3", "--json")
    assert len(data["results"]) == 3
    for r in data["results"]:
        assert {"doc_id", "source", "commune", "title", "section", "section_kind", "text", "score"} <= set(r)


def test_search_batch_keeps_the_ids(seed_index: Settings) -> None:
    lines = '{"id": "a", "q": "wifi công cộng"}\n{"id": 7, "q": "chữ ký số"}\n'
    proc = run_cli(["search", "--batch", "-", "--k", "2"], index_dir=seed_index.index_dir, stdin=lines, env=HASH)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7] and all(len(o["results"]) == 2 for o in out)


def test_ask_json(seed_index: Settings) -> None:
    data = _json(seed_index.index_dir, "ask", "Tân An có bao nhiêu ấp?", "--json")
    assert ANSWER_KEYS <= set(data)
    assert data["found"] is True and data["kind"] == "figure" and "17 ấp" in data["answer"]
    assert data["citations"] and all(CITATION_KEYS <= set(c) for c in data["citations"])


def test_ask_batch_is_one_answer_line_per_question(seed_index: Settings) -> None:
    lines = '{"id": "q1", "q": "Tân An có bao nhiêu ấp?"}\n'
    proc = run_cli(["ask", "--batch", "-"], index_dir=seed_index.index_dir, stdin=lines, env=HASH)
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == 1 and out[0]["id"] == "q1" and ANSWER_KEYS <= set(out[0])


def test_chat_json_is_the_ask_shape_plus_understood_as(seed_index: Settings) -> None:
    proc = run_cli(["chat", "--json"], index_dir=seed_index.index_dir, env=HASH,
                   stdin="Tân An có bao nhiêu ấp?\nCòn Đại Sơn thì sao?\n")
    assert proc.returncode == 0, proc.stderr
    turns = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(turns) == 2
    assert all(ANSWER_KEYS | {"understood_as"} <= set(t) for t in turns)
    assert "Đại Sơn" in turns[1]["understood_as"]


def test_docs_json(seed_index: Settings) -> None:
    data = _json(seed_index.index_dir, "docs", "--json")
    assert {"documents", "chunks", "embedder"} <= set(data["index"])
    assert data["documents"] and len(data["documents"]) == data["index"]["documents"]
    for d in data["documents"]:
        assert {"doc_id", "source", "commune", "kind", "n_chunks", "owner", "published"} <= set(d)


def test_draft_json(seed_index: Settings) -> None:
    data = _json(seed_index.index_dir, "draft", str(FIGURES), "--json")
    assert {"commune", "year", "period", "next_period", "sections", "unmatched", "warnings", "gaps",
            "suggestions"} <= set(data)
    assert [s["id"] for s in data["sections"]] == ["ket_qua", "ton_tai", "phuong_huong", "kien_nghi"]
    for s in data["sections"]:
        assert {"id", "title", "text", "citations", "unsupported_numbers"} <= set(s)
    assert data["commune"] == "Đại Sơn" and data["gaps"]


def test_compare_json(seed_index: Settings) -> None:
    data = _json(seed_index.index_dir, "compare", "--commune", "Đại Sơn", "--section", "ton_tai", "--json")
    assert {"commune", "section", "items", "missing_pillars"} <= set(data)
    assert data["items"] and all({"text", "pillar", "peers"} <= set(i) for i in data["items"])
    peers = [p for i in data["items"] for p in i["peers"]]
    assert peers and all({"commune", "source", "section", "text", "similarity", "diff"} <= set(p) for p in peers)
    assert all(p["commune"] != "Đại Sơn" for p in peers)


def test_indicators_json(seed_index: Settings) -> None:
    data = _json(seed_index.index_dir, "indicators", "--json")
    assert {"communes", "indicators"} <= set(data) and len(data["communes"]) == 5
    assert all({"id", "name", "pillar", "unit", "cells"} <= set(r) for r in data["indicators"])


def test_doctor_json(seed_index: Settings) -> None:
    data = _json(seed_index.index_dir, "doctor", "--json")
    assert {"ok", "chunks", "vectors", "keyword_rows", "orphans", "problems"} <= set(data)
    assert data["ok"] is True and data["problems"] == []


def test_eval_json(seed_index: Settings, tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text(json.dumps({"id": "x", "q": "Tân An có bao nhiêu ấp?", "commune": "Tân An",
                              "seed": "003_7619b87458e9843f.txt", "answer": r"\b17\b"}) + "\n", encoding="utf-8")
    data = _json(seed_index.index_dir, "eval", str(qa), "--json", "--mode", "bm25")
    assert {"hit@1", "hit@5", "answer_accuracy", "questions"} <= set(data) and data["questions"] == 1


# ----------------------------------------------------------------------------- ASSISTANT_* variables


def test_every_documented_variable_is_a_setting() -> None:
    documented = set(re.findall(r"\bASSISTANT_([A-Z0-9_]*[A-Z0-9])\b(?!\*)", (REPO_DIR / "README.md").read_text(encoding="utf-8")))
    assert {"INDEX_DIR", "CORPUS_DIR", "EMBEDDINGS", "LLM", "AUTH_FILE", "DEBUG"} <= documented
    for_tests = {v for v in documented if v.startswith("TEST_")}  # read by the test suite, not the app
    unknown = {v for v in documented - for_tests if v.lower() not in Settings.model_fields}
    assert not unknown, f"README names variables no setting reads: {sorted(unknown)}"


def test_settings_read_the_documented_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("ASSISTANT_RETRIEVAL", "bm25")
    monkeypatch.setenv("ASSISTANT_RRF_K", "7")
    monkeypatch.setenv("ASSISTANT_AUTH_FILE", str(tmp_path / "users.txt"))
    s = Settings()
    assert (s.corpus_dir, s.retrieval, s.rrf_k, s.auth_file) == (tmp_path / "corpus", "bm25", 7, tmp_path / "users.txt")
    assert s.catalog_path == tmp_path / "corpus" / "guidance" / "indicators.yaml"
