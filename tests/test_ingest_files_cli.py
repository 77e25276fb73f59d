"""The files officers have, through the `assistant` command: a scanned PDF, a photo, a .doc and an
.xls become searchable and answerable; `--commune` labels only the files named on the command line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import CORPUS, FIXTURES, run_cli

SCANNED = FIXTURES / "scanned"
FAST = {"ASSISTANT_EMBEDDINGS": "hash-test"}
TOOLS = ("tesseract", "pdftoppm")


def _docs(index_dir: Path, env: dict[str, str]) -> dict[str, dict]:
    proc = run_cli(["docs", "--json"], index_dir=index_dir, env=env)
    assert proc.returncode == 0, proc.stderr
    return {d["doc_id"]: d for d in json.loads(proc.stdout)["documents"]}


def test_commune_flag_labels_only_the_named_file_on_a_first_build(tmp_path: Path) -> None:
    """Regression: with no index yet, the first build used to label every bundled report "Hòa Bình"."""
    upload = tmp_path / "bao_cao_hb.txt"
    upload.write_text("BÁO CÁO\nKết quả chuyển đổi số năm 2025\nToàn xã có 12 thôn, 100% thôn có Tổ công "
                      "nghệ số cộng đồng với 84 thành viên.\n", encoding="utf-8")
    proc = run_cli(["ingest", str(upload), "--commune", "Hòa Bình"], index_dir=tmp_path / "index", env=FAST)
    assert proc.returncode == 0, proc.stderr
    docs = _docs(tmp_path / "index", FAST)
    assert docs["bao_cao_hb.txt"]["commune"] == "Hòa Bình"
    seeds = {d: docs[d]["commune"] for d in docs if d.endswith(".txt") and d != "bao_cao_hb.txt"}
    assert seeds == {"000_bc6a550855c708f7.txt": "An Khánh", "001_c00a27b78cbf0629.txt": "Giao Minh",
                     "002_fb0e2068ce768d4e.txt": "Đại Sơn", "003_7619b87458e9843f.txt": "Tân An",
                     "004_4f2fed7f8cb0b6ac.txt": "Gia Phúc"}


@pytest.fixture(scope="module")
def scanned_library(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """An index of the four files (and the catalog, without the seed reports), built by the CLI."""
    missing = [t for t in (*TOOLS, "soffice") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")
    root = tmp_path_factory.mktemp("scans")
    corpus = root / "corpus"
    shutil.copytree(CORPUS / "guidance", corpus / "guidance")
    env = {**FAST, "ASSISTANT_CORPUS_DIR": str(corpus)}
    files = [SCANNED / n for n in ("tan_an_scan.pdf", "dai_son_photo.jpg", "xuan_phong_2025.doc",
                                   "ninh_hai_so_lieu_2025.xls")]
    proc = run_cli(["ingest", "--json", *map(str, files)], index_dir=root / "index", env=env)
    assert proc.returncode == 0, proc.stderr
    assert sorted(json.loads(proc.stdout)["added"]) == sorted([f.name for f in files] + ["indicators.yaml"])
    return root / "index", env


@pytest.mark.parametrize(("question", "source", "figure", "ocr"), [
    ("Tân An có bao nhiêu ấp?", "tan_an_scan.pdf", "17 ấp", True),
    ("Xã Đại Sơn thành lập Tổ công nghệ số cộng đồng tại bao nhiêu thôn?", "dai_son_photo.jpg", "11/11", True),
    ("Xuân Phong có bao nhiêu thành viên Tổ công nghệ số cộng đồng?", "xuan_phong_2025.doc", "98", False),
    ("Ninh Hải có bao nhiêu hộ gia đình có cáp quang?", "ninh_hai_so_lieu_2025.xls", "4215", False),
])
def test_each_kind_of_file_is_answerable_from_the_cli(scanned_library, question: str, source: str,
                                                      figure: str, ocr: bool) -> None:
    index_dir, env = scanned_library
    proc = run_cli(["ask", question, "--json"], index_dir=index_dir, env=env)
    assert proc.returncode == 0, proc.stderr
    ans = json.loads(proc.stdout)
    first = ans["answer"].splitlines()[0]
    assert figure in first and ans["citations"][0]["source"] == source, ans
    assert ("đọc bằng OCR" in " ".join(ans["warnings"])) is ocr
    assert ans["citations"][0].get("ocr", False) is ocr
    hits = json.loads(run_cli(["search", question, "--json", "--k", "3"], index_dir=index_dir, env=env).stdout)
    assert hits["results"][0]["source"] == source and hits["results"][0].get("ocr", False) is ocr


def test_without_tesseract_only_the_scan_is_refused_and_says_how_to_install(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "guidance", corpus / "guidance")
    env = {**FAST, "ASSISTANT_CORPUS_DIR": str(corpus), "ASSISTANT_OCR_COMMAND": "tesseract-khong-co"}
    files = [SCANNED / "tan_an_scan.pdf", FIXTURES / "ingest" / "xuan_phong_2025.pdf"]
    proc = run_cli(["ingest", *map(str, files)], index_dir=tmp_path / "index", env=env)
    assert proc.returncode == 1
    refused = [line for line in proc.stderr.splitlines() if line.startswith("Không đọc được")]
    assert len(refused) == 1 and "tan_an_scan.pdf" in refused[0]
    assert "sudo apt-get install tesseract-ocr tesseract-ocr-vie" in refused[0]
    assert "Traceback" not in proc.stderr
    assert set(_docs(tmp_path / "index", env)) == {"xuan_phong_2025.pdf", "chi_tieu_catalog"}
