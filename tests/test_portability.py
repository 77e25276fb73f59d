"""Windows-readiness checks that can run here: no POSIX-only modules or shell commands in the
library, and Vietnamese output that survives a legacy code page (a redirected Windows console)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from assistant.settings import PACKAGE_DIR
from tests.conftest import run_cli

POSIX_ONLY = {"fcntl", "pwd", "grp", "resource", "termios", "tty", "pty", "posix", "crypt", "syslog"}
LEGACY = {"PYTHONIOENCODING": "cp1252", "ASSISTANT_EMBEDDINGS": "none"}  # what Windows gives a pipe


def _sources() -> list[tuple[Path, ast.AST]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE_DIR.rglob("*.py"))]


def test_library_imports_no_posix_only_module() -> None:
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in POSIX_ONLY]
    assert not found


def test_library_runs_no_shell_command() -> None:
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if func in ("os.system", "os.popen", "os.fork", "os.killpg") or any(
                    k.arg == "shell" and ast.unparse(k.value) != "False" for k in node.keywords):
                found.append(f"{path.name}:{node.lineno}: {func}")
    assert not found


def test_cli_writes_vietnamese_through_a_legacy_code_page(tmp_path: Path) -> None:
    proc = run_cli(["ask", "Tân An có bao nhiêu ấp?"], index_dir=tmp_path / "index", env=LEGACY)
    assert proc.returncode == 0, proc.stderr
    assert "17 ấp" in proc.stdout and "Chưa có chỉ mục" in proc.stderr


def test_cli_reads_vietnamese_questions_from_a_legacy_code_page_pipe(tmp_path: Path) -> None:
    line = json.dumps({"id": "q1", "q": "Tân An có bao nhiêu ấp?"}, ensure_ascii=False)
    proc = run_cli(["ask", "--batch", "-"], index_dir=tmp_path / "index", env=LEGACY, stdin=line + "\n")
    assert proc.returncode == 0, proc.stderr
    row = json.loads(proc.stdout.splitlines()[-1])
    assert row["id"] == "q1" and "17 ấp" in row["answer"]


def test_upload_names_are_never_windows_device_names() -> None:
    from assistant.index.uploads import safe_name

    assert safe_name("CON.txt") == "CON_tep.txt"
    assert safe_name("nul.pdf") == "nul_tep.pdf"
    assert safe_name(r"C:\\Users\\canbo\\lpt1.docx") == "lpt1_tep.docx"
    assert safe_name("aux.tar.md") == "aux.tar_tep.md"
    assert safe_name("console.txt") == "console.txt" and safe_name("COM10.txt") == "COM10.txt"
