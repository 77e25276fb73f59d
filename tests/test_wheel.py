"""The wheel, installed into a fresh environment, runs the main jobs from any folder.

The wheel is built from a copy of the checkout (`pip wheel --no-build-isolation --no-index`, no
network) and installed with `--no-deps` into a new venv whose only other packages are this
environment's, seen through a `.pth` line; every command then runs from a temporary folder
outside the checkout, so the bundled corpus, prompts and vectors must come from the wheel.
"""

from __future__ import annotations

import os
import re
import shutil
import site
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from assistant.settings import REPO_DIR
from tests.conftest import FIXTURES
from tests.support.processes import stop

TITLE = "Trợ lý báo cáo chuyển đổi số"
SOURCES = ("pyproject.toml", "README.md", "assistant", "corpus", "prompts")
JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


class Installed:
    """A fresh venv with the wheel installed, and a working folder outside the checkout."""

    def __init__(self, root: Path, wheel: Path) -> None:
        self.root, self.wheel = root, wheel
        self.venv = root / "venv"
        self.bin = self.venv / ("Scripts" if os.name == "nt" else "bin")
        self.work = root / "work"

    def env(self, index: str, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("ASSISTANT_") and k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
        env.update({"ASSISTANT_INDEX_DIR": str(self.root / index), "PYTHONNOUSERSITE": "1"}, **extra)
        return env

    def run(self, *args: str, index: str = "index", **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / "assistant"), *args], capture_output=True, text=True,
                              cwd=self.work, env=self.env(index, **extra), timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    for name in SOURCES:
        path = REPO_DIR / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=JUNK)
        else:
            shutil.copy2(path, src / name)
    (src / "corpus" / "uploads").mkdir(exist_ok=True)  # a user's upload must never ship
    (src / "corpus" / "uploads" / "du_thao_rieng.txt").write_text("UBND xã Riêng\n\nBản nháp.\n",
                                                                    encoding="utf-8")
    pip = [sys.executable, "-m", "pip"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                    "-w", str(root / "dist"), str(src)], check=True, capture_output=True, timeout=600)
    wheel = next((root / "dist").glob("*.whl"))
    inst = Installed(root, wheel)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(inst.venv)], check=True, timeout=300)
    purelib = subprocess.run([str(inst.bin / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # The dependencies: this environment's packages, after the venv's own (plain path lines:
    # the .pth files there, such as the checkout's editable install, are not run).
    parents = [p for p in site.getsitepackages() if Path(p).is_dir()]
    Path(purelib, "_parent_env.pth").write_text("\n".join(parents) + "\n", encoding="utf-8")
    subprocess.run([*pip, "--python", str(inst.bin / "python"), "install", "--no-deps", "--no-index", "-q",
                    str(wheel)], check=True, capture_output=True, timeout=600)
    inst.work.mkdir()
    shutil.copy(FIXTURES / "drafting" / "dai_son_2025.yaml", inst.work / "dai_son_2025.yaml")
    return inst


def test_wheel_holds_every_package_the_corpus_prompts_and_vectors(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    packages = {p.parent.relative_to(REPO_DIR).as_posix()
                for p in (REPO_DIR / "assistant").rglob("__init__.py") if "__pycache__" not in p.parts}
    missing = sorted(p for p in packages if f"{p}/__init__.py" not in names)
    assert not missing, f"add these packages to [tool.setuptools] packages in pyproject.toml: {missing}"
    bundled = REPO_DIR / "corpus", REPO_DIR / "prompts"
    for folder in bundled:
        for f in folder.rglob("*"):
            if f.is_file() and "uploads" not in f.relative_to(folder).parts:
                assert f"assistant/_bundled/{f.relative_to(REPO_DIR).as_posix()}" in names
    assert "assistant/_vector_cache/e5-small-q4.npz" in names
    assert not [n for n in names if "/uploads/" in n or "du_thao_rieng" in n]


def test_installed_package_is_the_wheel_not_the_checkout(installed: Installed) -> None:
    code = "import assistant, assistant.settings as s; print(assistant.__file__); print(s.Settings().prompts_dir)"
    proc = subprocess.run([str(installed.bin / "python"), "-c", code], capture_output=True, text=True,
                          cwd=installed.work, env=installed.env("index"), check=True)
    module, prompts = proc.stdout.splitlines()
    assert Path(module).is_relative_to(installed.venv)
    assert Path(prompts).is_relative_to(installed.venv) and Path(prompts).name == "prompts"


def test_ask_from_outside_the_checkout_with_the_default_embedder(installed: Installed) -> None:
    proc = installed.run("-v", "ask", "Tân An có bao nhiêu ấp?", index="index-ask")
    assert proc.returncode == 0, proc.stderr
    assert "17 ấp" in proc.stdout
    assert "Tân An" in proc.stdout and "[1]" in proc.stdout  # cited
    assert re.search(r"\b(\d+) of \1 passages found, 0 to embed", proc.stderr)  # shipped vectors used
    docs = installed.run("docs", "--json", index="index-ask")
    assert '"embedder": "e5-small-q4"' in docs.stdout


def test_draft_from_outside_the_checkout(installed: Installed) -> None:
    proc = installed.run("draft", "dai_son_2025.yaml", index="index-draft", ASSISTANT_EMBEDDINGS="none")
    assert proc.returncode == 0, proc.stderr
    assert "TỒN TẠI" in proc.stdout.upper() and "Đại Sơn".upper() in proc.stdout.upper()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_with_the_app_page(installed: Installed) -> None:
    port = _free_port()
    log = (installed.root / "serve.log").open("w+", encoding="utf-8")
    proc = subprocess.Popen([str(installed.bin / "assistant"), "serve", "--port", str(port)],
                            cwd=installed.work, env=installed.env("index-serve"), stdout=log, stderr=log)
    page, status = "", None
    try:
        deadline = time.monotonic() + 300  # a hung server fails the test instead of hanging it
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as resp:
                    status, page = resp.status, resp.read().decode("utf-8", "replace")
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
    finally:
        stop(proc)
        log.seek(0)
        output = log.read()
        log.close()
    assert status == 200, output
    assert TITLE in page
