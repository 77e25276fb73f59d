"""Old and open Office files (.doc .odt .xls .ods) through LibreOffice, and spreadsheets as rows.

LibreOffice runs headless with its own throw-away profile, in a temporary folder, under a
timeout (`ASSISTANT_OFFICE_TIMEOUT`): .doc/.odt become .docx (read by the .docx reader, tables
as rows), .xls/.ods become .xlsx. A spreadsheet is read row by row, each row written
"cell | cell | cell" like a .docx table row, each sheet under its name.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.ingest.errors import UnreadableFile
from assistant.ingest.limits import Limits
from assistant.ingest.loaders import RawText

if TYPE_CHECKING:
    from assistant.settings import Settings

log = logging.getLogger(__name__)

WORD_SUFFIXES = (".doc", ".odt")
SHEET_SUFFIXES = (".xlsx", ".xls", ".ods")
OFFICE_SUFFIXES = WORD_SUFFIXES + (".xls", ".ods")  # the ones LibreOffice converts
INSTALL_OFFICE = "sudo apt-get install libreoffice-writer libreoffice-calc"
MAX_SHEET_CELLS = 500_000  # more filled cells than this is not a report's table


def _office_command(settings: Settings | None) -> str | None:
    wanted = settings.office_command if settings is not None else "soffice"
    return shutil.which(wanted) or (shutil.which("libreoffice") if wanted == "soffice" else None)


def convert(path: Path, target: str, workdir: Path, settings: Settings | None) -> Path:
    """Convert `path` to `target` ("docx" or "xlsx") inside `workdir` with LibreOffice headless."""
    exe = _office_command(settings)
    kind = path.suffix.lower()
    if exe is None:
        raise UnreadableFile(path, f"cần LibreOffice để đọc tệp {kind} nhưng máy chưa cài; hãy cài bằng "
                                   f"lệnh: {INSTALL_OFFICE}")
    timeout = settings.office_timeout if settings is not None else 120.0
    src = workdir / f"input{kind}"  # a plain name: LibreOffice and odd file names do not mix
    shutil.copyfile(path, src)
    profile = workdir / "profile"
    args = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--nolockcheck", "--convert-to", target, "--outdir", str(workdir / "out"), str(src)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            env={**os.environ, "HOME": str(workdir)})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise UnreadableFile(path, f"LibreOffice không chuyển đổi xong tệp trong {timeout:g} giây "
                                   "(ASSISTANT_OFFICE_TIMEOUT)") from exc
    result = workdir / "out" / f"input.{target}"
    if proc.returncode != 0 or not result.exists() or result.stat().st_size == 0:
        log.debug("soffice %s → %s failed (%s): %s %s", path.name, target, proc.returncode,
                  out.decode(errors="replace")[-300:], err.decode(errors="replace")[-300:])
        raise UnreadableFile(path, f"LibreOffice không chuyển đổi được tệp {kind} (tệp hỏng, có mật khẩu "
                                   "hoặc không đúng định dạng)")
    return result


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop LibreOffice and the soffice.bin it started (its whole session / process tree)."""
    try:
        if os.name == "nt":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True, check=False)
        else:
            os.kill(-proc.pid, signal.SIGKILL)  # started with start_new_session: its group is its pid
    except (ProcessLookupError, PermissionError, OSError):
        proc.kill()
    proc.communicate()


def read_office(path: Path, settings: Settings | None = None, limits: Limits | None = None) -> RawText:
    """Read a .doc/.odt (as .docx) or a spreadsheet (.xlsx directly, .xls/.ods via .xlsx).

    The converted file passes the same limits as an uploaded .docx/.xlsx (`ingest.limits`)
    before it is read: a small .doc may hold a large document.
    """
    limits = limits or (Limits.from_settings(settings) if settings is not None else Limits())
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_sheets(path, path, limits)
    with tempfile.TemporaryDirectory(prefix="office-") as tmp:
        if suffix in WORD_SUFFIXES:
            from assistant.ingest.loaders import _check_docx_text, _read_docx

            docx = convert(path, "docx", Path(tmp), settings)
            try:
                limits.check_zip(docx, ".docx")
                _check_docx_text(docx, limits)
                return RawText(_read_docx(docx), hard_breaks=True)
            except UnreadableFile as exc:
                raise _as_source(exc, path) from exc
        return read_sheets(convert(path, "xlsx", Path(tmp), settings), path, limits)


def _as_source(exc: UnreadableFile, source: Path) -> UnreadableFile:
    """The refusal of a converted file, said of the file the user gave (the limit it names kept)."""
    exc.path = source
    exc.args = (f"{source.name}: {exc.reason}",)
    return exc


def read_sheets(xlsx: Path, source: Path, limits: Limits | None = None) -> RawText:
    """Every non-empty row of every sheet as "cell | cell | cell", each sheet under its name."""
    try:
        (limits or Limits()).check_zip(xlsx, ".xlsx")
    except UnreadableFile as exc:
        raise _as_source(exc, source) from exc
    try:
        from openpyxl import load_workbook

        wb = load_workbook(xlsx, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds on junk
        raise UnreadableFile(source, "không đọc được bảng tính (tệp hỏng hoặc không đúng định dạng)",
                             detail=f"{exc.__class__.__name__}: {exc}") from exc
    lines: list[str] = []
    cells = 0
    try:
        for ws in wb.worksheets:
            rows = []
            for row in ws.iter_rows():
                values = [_cell_text(c) for c in row]
                values = [v for v in values if v]
                cells += len(values)
                if cells > MAX_SHEET_CELLS:
                    raise UnreadableFile(source, f"bảng tính có hơn {MAX_SHEET_CELLS:,} ô có dữ liệu, "
                                                 "quá lớn để nạp như một văn bản".replace(",", "."))
                if values:
                    rows.append(" | ".join(values))
            if rows:
                if len(wb.worksheets) > 1 or not rows[0].isupper():
                    lines.append(ws.title)
                lines.extend(rows)
    finally:
        wb.close()
    return RawText("\n".join(lines), hard_breaks=True)


def _cell_text(cell) -> str:  # noqa: ANN001 - an openpyxl cell
    v = getattr(cell, "value", None)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "Có" if v else "Không"
    if isinstance(v, (dt.datetime, dt.date)):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, (int, float)):
        fmt = getattr(cell, "number_format", "") or ""
        if "%" in fmt:
            return vn_number(v * 100) + "%"
        return vn_number(v)
    return " ".join(str(v).split())


def vn_number(x: float) -> str:
    """A figure as a Vietnamese report writes it: 1.284 (thousands dot), 68,3 (decimal comma)."""
    if isinstance(x, float) and not x.is_integer():
        whole, _, frac = f"{x:.6f}".rstrip("0").partition(".")
        return f"{int(whole):,}".replace(",", ".") + ("," + frac if frac else "")
    n = int(x)
    return f"{n:,}".replace(",", ".") if abs(n) >= 10_000 else str(n)
