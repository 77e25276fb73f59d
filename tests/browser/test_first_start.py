"""First start without an index: the page is served at once and shows the index being built;
a question asked meanwhile waits with a notice and is answered when the index is ready."""

from __future__ import annotations

import re
import shutil
import threading

from tests.browser.conftest import serve
from tests.conftest import CORPUS, make_settings


def test_first_start_serves_the_page_at_once_and_shows_progress(pages, tmp_path, monkeypatch, request) -> None:
    import assistant.web.context as context

    building, release = threading.Event(), threading.Event()
    request.addfinalizer(release.set)
    real = context.ensure_index

    def held(settings, notify, progress, **kw):  # noqa: ANN001, ANN003, ANN202 - pauses after its first batch
        def slow(stage: str, done: int, total: int) -> None:
            progress(stage, done, total)
            if done and not release.is_set():
                building.set()
                release.wait(120)

        return real(settings, notify=notify, progress=slow, **kw)

    monkeypatch.setattr(context, "ensure_index", held)
    shutil.copytree(CORPUS, tmp_path / "corpus", ignore=shutil.ignore_patterns("uploads"))
    app = serve(make_settings(tmp_path / "index", corpus_dir=tmp_path / "corpus"))
    request.addfinalizer(app.close)
    assert building.wait(120)  # the index is being built …

    page = pages(app.url)  # … and the page is there
    page.goto(app.url)
    status = page.locator("#index-status")
    # the page polls the status: wait for the paused build's count, not an earlier "0/…" still shown
    status.get_by_text(re.compile(r"Đang xây dựng chỉ mục lần đầu… đã tạo vector [1-9]\d*/\d+ đoạn")).wait_for()
    assert page.locator("#app-ready").count() == 0
    done, total = map(int, re.search(r"(\d+)/(\d+) đoạn", status.inner_text()).groups())
    assert 0 < done < total

    # a question asked now waits, saying why
    page.locator("#qa-question textarea").fill("Tân An có bao nhiêu ấp?")
    page.locator("#qa-send").click()
    page.locator("#qa-chat").get_by_text("Đang xây dựng chỉ mục lần đầu").first.wait_for()

    release.set()
    page.locator("#qa-chat").get_by_text("17 ấp").first.wait_for()  # answered once the index is ready
    page.locator("#app-ready").wait_for(state="attached")
    assert "Đang xây dựng" not in status.inner_text()
    page.locator("#qa-commune input").click()  # the page filled in: communes are listed
    page.get_by_role("option", name="Tân An", exact=True).wait_for()
