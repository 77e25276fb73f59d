"""Screenshots of the four tabs for the README, taken with Debian's Chromium (never a downloaded one).

    pip install playwright            # the Python driver only; no `playwright install`
    python scripts/screenshots.py     # writes docs/screenshot-{qa,draft,compare,indicators,library}.png

The app is started on a free loopback port over the settings from the environment (the index is
built first if there is none), the tabs are used like an officer would (ask, draft, compare), and
each page is captured, then reduced to a 256-colour PNG to stay small.
"""

from __future__ import annotations

import argparse
import logging
import socket
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

log = logging.getLogger("screenshots")
CHROMIUM = "/usr/bin/chromium"
FIGURES = REPO / "tests" / "fixtures" / "figures" / "dai_son_2025.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shrink(path: Path) -> None:
    """Palette PNG (256 colours): text screenshots stay sharp and a few times smaller."""
    from PIL import Image

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    log.info("%s: %d KB", path.name, path.stat().st_size // 1024)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs")
    ap.add_argument("--index-dir", type=Path, help="Index folder (default: ASSISTANT_INDEX_DIR or ./index)")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=1000)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for noisy in ("httpx", "bm25s", "chromadb"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    from playwright.sync_api import sync_playwright

    from assistant.settings import get_settings
    from assistant.web.app import build_app, launch

    settings = get_settings(index_dir=args.index_dir)
    demo = build_app(settings)
    url = launch(demo, settings, host="127.0.0.1", port=free_port(), block=False, quiet=True).rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": args.width, "height": args.height}, locale="vi-VN")

            def shot(name: str) -> None:
                time.sleep(0.6)  # let transitions finish
                path = args.out / f"screenshot-{name}.png"
                page.screenshot(path=str(path))
                shrink(path)

            # Hỏi đáp: ask, then open the first citation
            page.goto(f"{url}/?tab=qa")
            page.get_by_placeholder("Ví dụ: Tân An có bao nhiêu ấp?").fill("Tân An có bao nhiêu ấp?")
            page.get_by_role("button", name="Gửi", exact=True).click()
            page.locator("details.cite summary").first.wait_for(timeout=60_000)
            page.locator("details.cite summary").first.click()
            time.sleep(1.0)
            page.evaluate("""() => document.querySelectorAll('#qa-chat *').forEach(
                e => { if (e.scrollHeight > e.clientHeight + 4) e.scrollTop = 0; })""")
            shot("qa")

            # Soạn thảo: load the Đại Sơn figures file, draft, show the checked text
            page.goto(f"{url}/?tab=draft")
            page.locator("input[type=file]").first.set_input_files(str(FIGURES))
            page.get_by_text("Đã điền biểu mẫu").wait_for(timeout=60_000)
            page.get_by_role("button", name="Soạn thảo", exact=True).click()
            page.get_by_text("Bản thảo cho xã").wait_for(timeout=120_000)
            # the officer adds a sentence with a figure no source states: it is flagged in red
            box = page.locator("#draft-ton_tai textarea")
            box.fill(box.input_value() + "\n- Tỷ lệ hộ gia đình dùng ví điện tử mới đạt 37,5%.")
            page.get_by_role("button", name="Kiểm tra lại số liệu sau khi sửa").click()
            page.get_by_text("chưa tìm thấy trong số liệu").first.wait_for(timeout=60_000)
            page.evaluate("() => document.querySelector('#draft-notes').scrollIntoView()")
            shot("draft")

            # So sánh: a commune's "Tồn tại, hạn chế" next to the other communes
            page.goto(f"{url}/?tab=compare")
            page.get_by_role("button", name="So sánh", exact=True).click()
            page.locator("#compare-result .cmp-row").first.wait_for(timeout=120_000)
            shot("compare")
            page.evaluate("() => document.querySelector('#indicators-head').scrollIntoView()")
            shot("indicators")

            # Kho tài liệu
            page.goto(f"{url}/?tab=library")
            page.get_by_text("tài liệu,").first.wait_for(timeout=30_000)
            time.sleep(2)  # the document list refreshes once the page has loaded
            shot("library")
            browser.close()
    finally:
        demo.close()
        demo.assistant_context.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
