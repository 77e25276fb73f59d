"""Kho tài liệu in Chromium, with logins on (as when the app is opened to other machines):
upload, refused files, a duplicate, publish, delete and rebuild — each change confirmed first."""

from __future__ import annotations

import threading

import pytest

from tests.browser.conftest import PASSWORD, log_in, snap, table_rows
from tests.conftest import FIXTURES

INGEST = FIXTURES / "ingest"
RESULT = "#library-result"


def rows(page) -> list[str]:
    page.locator("#library-table [role=row].virtual-row").first.wait_for()
    return table_rows(page, "#library-table")


def row_of(page, text: str):  # noqa: ANN201 - the table row (a Locator) that shows `text`
    return page.locator("#library-table [role=row].virtual-row").filter(has_text=text)


def wait_result(page, text: str) -> str:
    page.locator(RESULT).get_by_text(text).first.wait_for()
    return page.locator(RESULT).inner_text()


def choose(page, label_part: str) -> None:
    """Pick the one document in «Chọn tài liệu» whose label (title, commune, file) has `label_part`."""
    chosen = page.locator("#library-chosen .token").filter(has_text=label_part)
    if chosen.count():
        return
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator("#library-chosen input")
    for attempt in range(3):  # the page may refresh the choices (index reloaded) just as one is picked
        box.click()
        box.fill(label_part)
        page.get_by_role("option").filter(has_text=label_part).first.click()
        page.keyboard.press("Escape")
        try:
            chosen.first.wait_for(timeout=15_000)
            return
        except PlaywrightTimeout:
            if attempt == 2:
                raise


REPORT = """UỶ BAN NHÂN DÂN XÃ HỒNG PHONG
BÁO CÁO KẾT QUẢ CHUYỂN ĐỔI SỐ NĂM 2025 CỦA XÃ HỒNG PHONG
I. KẾT QUẢ ĐẠT ĐƯỢC
Xã Hồng Phong đã thành lập 9 Tổ công nghệ số cộng đồng với 54 thành viên ở 9 thôn.
Tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến đạt 64%.
II. TỒN TẠI, HẠN CHẾ
Trang thiết bị công nghệ thông tin của các thôn còn thiếu, đường truyền chưa ổn định.
"""


def upload(page, *files) -> None:  # noqa: ANN002 - names in tests/fixtures/ingest, or paths
    paths = [str(f if not isinstance(f, str) else INGEST / f) for f in files]
    page.locator("#library-files input[type=file]").set_input_files(paths)
    page.locator("#library-add").click()


def test_login_page_is_vietnamese_and_refuses_a_wrong_password(pages, served_login) -> None:
    page = pages(served_login.url)
    page.goto(served_login.url)
    assert page.evaluate("document.documentElement.lang") == "vi"
    page.get_by_label("Tên đăng nhập").fill("canbo_daison")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Sai tên đăng nhập hoặc mật khẩu").wait_for()
    assert page.locator("#app-ready").count() == 0
    log_in(page, served_login.url, "canbo_daison", PASSWORD)
    page.get_by_role("tab", name="Kho tài liệu").wait_for(state="visible")


def test_upload_refuses_junk_and_lists_a_duplicate_once(pages, served_login) -> None:
    page = pages(served_login.url)
    log_in(page, served_login.url, "canbo_daison", tab="library")
    upload(page, "xuan_phong_2025.docx", "bad_unknown.xyz", "bad_empty.txt")
    said = wait_result(page, "xuan_phong_2025.docx")
    assert "✅" in said and "bad_unknown.xyz" in said and "bad_empty.txt" in said
    assert said.count("❌") == 2
    row_of(page, "Xuân Phong").first.wait_for()
    listed = [r for r in rows(page) if "Xuân Phong" in r]
    assert len(listed) == 1 and "Bản nháp" in listed[0]
    # the same report again, as .pdf: reported, and still one row
    upload(page, "xuan_phong_2025.pdf")
    said = wait_result(page, "xuan_phong_2025.pdf")
    assert len([r for r in rows(page) if "Xuân Phong" in r]) == 1
    snap(page, "library")
    if "trùng" not in said:  # the ingest library's near-duplicate check (harden branch) says it
        pytest.xfail("near-duplicate detection is not in the ingest library yet")


def test_publish_then_delete_after_confirming(pages, served_login, tmp_path) -> None:
    """Province staff upload a commune's report (a commune account's upload is its own commune's):
    a draft, published, then cited in Hỏi đáp with who uploaded it, then deleted after confirming."""
    report = tmp_path / "bao_cao_cds_hong_phong_2025.txt"
    report.write_text(REPORT, encoding="utf-8")
    page = pages(served_login.url)
    log_in(page, served_login.url, "canbo_tinh", tab="library")
    page.locator("#library-commune textarea, #library-commune input").first.fill("Hồng Phong")
    upload(page, report)
    wait_result(page, report.name)
    draft = row_of(page, "Hồng Phong").filter(has_text="Bản nháp (cán bộ tỉnh)")
    draft.first.wait_for()
    assert "*" not in draft.first.inner_text()
    choose(page, "Hồng Phong")
    page.get_by_role("button", name="Công bố", exact=True).click()
    assert "Đã công bố" in wait_result(page, "Đã công bố")
    row_of(page, "Hồng Phong").filter(has_text="Dùng chung").first.wait_for()

    # Hỏi đáp cites the upload and says who uploaded it
    page.get_by_role("tab", name="Hỏi đáp").click()
    page.locator("#qa-question textarea").fill("Hồng Phong có bao nhiêu Tổ công nghệ số cộng đồng?")
    page.locator("#qa-send").click()
    answer = page.locator("#qa-chat .message-row.bot-row:not(:has(.thought-group))").filter(has_text="Nguồn:")
    answer.first.wait_for()
    said = answer.first.inner_text()
    assert "9" in said and "Hồng Phong" in said
    assert "tải lên bởi canbo_tinh (cán bộ tỉnh)" in said.split("Nguồn:")[1]
    page.get_by_role("tab", name="Kho tài liệu").click()
    page.locator("#library-table").wait_for()

    # delete: the page asks first; «Huỷ» changes nothing and says so
    choose(page, "Hồng Phong")
    page.get_by_role("button", name="Xoá tài liệu đã chọn").click()
    confirm = page.locator("#library-confirm")
    confirm.wait_for(state="visible")
    assert "Hồng Phong" in confirm.inner_text()
    page.locator("#library-confirm-no").click()
    assert "không xoá" in wait_result(page, "Đã huỷ")
    assert [r for r in rows(page) if "Hồng Phong" in r]

    choose(page, "Hồng Phong")
    page.get_by_role("button", name="Xoá tài liệu đã chọn").click()
    confirm.wait_for(state="visible")
    page.locator("#library-confirm-yes").click()
    said = wait_result(page, "Đã xoá")
    assert "Hồng Phong" in said and "Không có tài liệu" not in said
    row_of(page, "Hồng Phong").first.wait_for(state="detached")


def test_rebuild_asks_first_and_questions_are_answered_meanwhile(pages, served_login, monkeypatch,
                                                                   request) -> None:
    """The rebuild writes a new index while the old one keeps answering; it is swapped in at the end."""
    import assistant.web.context as context

    built, release = threading.Event(), threading.Event()
    request.addfinalizer(release.set)
    real_ingest = context.ingest

    def held_ingest(*args, **kw):  # the new generation is written, then the test holds the swap
        report = real_ingest(*args, **kw)
        built.set()
        release.wait(120)
        return report

    monkeypatch.setattr(context, "ingest", held_ingest)
    staff = pages(served_login.url)
    log_in(staff, served_login.url, "canbo_tinh", tab="library")
    staff.get_by_role("button", name="Xây dựng lại toàn bộ chỉ mục").click()
    staff.locator("#library-confirm").wait_for(state="visible")
    assert "Xây dựng lại toàn bộ chỉ mục?" in staff.locator("#library-confirm").inner_text()
    staff.locator("#library-confirm-no").click()
    wait_result(staff, "chỉ mục giữ nguyên")
    assert not built.is_set()

    staff.get_by_role("button", name="Xây dựng lại toàn bộ chỉ mục").click()
    staff.locator("#library-confirm").wait_for(state="visible")
    staff.locator("#library-confirm-yes").click()
    assert built.wait(120)
    # meanwhile an officer asks and is answered
    asker = pages(served_login.url)
    log_in(asker, served_login.url, "canbo_daison")
    asker.locator("#qa-question textarea").fill("Tân An có bao nhiêu ấp?")
    asker.locator("#qa-send").click()
    asker.locator("#qa-chat").get_by_text("17 ấp").first.wait_for()
    assert not release.is_set()
    release.set()
    said = wait_result(staff, "Đã xây dựng lại chỉ mục")
    assert "đoạn" in said


def test_cancel_an_upload_while_it_is_read(pages, served_login, monkeypatch, request, tmp_path) -> None:
    """«Huỷ» stops the upload this page started: nothing is added and the page says so."""
    import assistant.ingest.jobs as jobs

    started, release = threading.Event(), threading.Event()
    request.addfinalizer(release.set)
    real_progress = jobs.IngestJob._progress

    def held_progress(self, stage, done, total):  # the job waits while embedding, until «Huỷ»
        if stage == "embed":
            started.set()
            self.token._event.wait(60)
        return real_progress(self, stage, done, total)

    monkeypatch.setattr(jobs.IngestJob, "_progress", held_progress)
    report = tmp_path / "bao_cao_cds_dai_son_bo_sung.txt"
    report.write_text(REPORT.replace("HỒNG PHONG", "ĐẠI SƠN").replace("Hồng Phong", "Đại Sơn"), encoding="utf-8")
    page = pages(served_login.url)
    log_in(page, served_login.url, "canbo_daison", tab="library")
    upload(page, report)
    assert started.wait(60)
    page.locator("#library-cancel-upload").click()
    said = wait_result(page, "Đã huỷ tải lên")
    assert report.name in said and "không có gì được thêm" in said
    assert not row_of(page, "bo_sung").count()
    assert not (served_login.settings.upload_dir / report.name).exists()  # nothing left behind


def test_cancel_with_nothing_running_keeps_the_last_result(pages, served_login) -> None:
    page = pages(served_login.url)
    log_in(page, served_login.url, "canbo_daison", tab="library")
    upload(page, "bad_empty.txt")
    said = wait_result(page, "bad_empty.txt")
    assert "❌" in said
    page.locator("#library-cancel-upload").click()
    page.get_by_text("Không có tải lên nào đang chạy").first.wait_for()
    assert "bad_empty.txt" in page.locator(RESULT).inner_text()  # the upload's outcome is still shown


def test_a_commune_account_may_not_rebuild(pages, served_login) -> None:
    page = pages(served_login.url)
    log_in(page, served_login.url, "canbo_daison", tab="library")
    page.get_by_role("button", name="Xây dựng lại toàn bộ chỉ mục").click()
    page.get_by_text("Chỉ cán bộ tỉnh").first.wait_for()
    assert not page.locator("#library-confirm").is_visible()


pytestmark = pytest.mark.usefixtures("served_login")
