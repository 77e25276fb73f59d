"""The README's screenshots, taken by the browser tests themselves (Debian's Chromium, never a
downloaded one; never `playwright install`).

    python scripts/screenshots.py            # runs tests/browser, writes docs/screenshot-*.png

Each browser test that shows a screen worth a picture calls `snap(page, name)`; with
ASSISTANT_SCREENSHOT_DIR set it saves the page there (desktop 1366×900, phone 390×844). This
script runs the tests with that variable, then reduces each picture to a 256-colour PNG (text
stays sharp, files stay small) and copies it into docs/.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
log = logging.getLogger("screenshots")


def shrink(src: Path, dest: Path) -> None:
    """Palette PNG (256 colours): text screenshots stay sharp and a few times smaller."""
    from PIL import Image

    with Image.open(src) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(dest, optimize=True)
    log.info("%s: %d KB", dest.name, dest.stat().st_size // 1024)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs")
    ap.add_argument("-k", default="", help="Only the browser tests matching this pytest expression.")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shots = Path(tempfile.mkdtemp(prefix="screenshots-"))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "tests" / "browser")]
    if args.k:
        cmd += ["-k", args.k]
    proc = subprocess.run(cmd, cwd=REPO, env={**os.environ, "ASSISTANT_SCREENSHOT_DIR": str(shots)})
    args.out.mkdir(parents=True, exist_ok=True)
    for png in sorted(shots.glob("screenshot-*.png")):
        shrink(png, args.out / png.name)
    if proc.returncode:
        log.warning("some browser tests failed (exit %d); their screens may be missing", proc.returncode)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
