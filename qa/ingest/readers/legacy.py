"""Old Word .doc files, converted to .docx by LibreOffice headless when it is installed.

Debian's ``libreoffice-writer-nogui`` provides ``soffice``. The conversion runs
in a private temporary profile (two conversions at once must not share one) and
is killed after CONVERT_SECONDS; the .docx it writes is read like any other.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from qa.errors import PlanQAError
from qa.ingest.layout import Extracted
from qa.ingest.readers import word

CONVERT_SECONDS = 120
NO_LIBREOFFICE = "请另存为 .docx"


def soffice() -> str | None:
    """The LibreOffice binary, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(path: Path, folder: Path) -> Path:
    """Convert `path` into folder/<stem>.docx.

    Raises:
        PlanQAError: LibreOffice is missing, fails or takes too long.
    """
    binary = soffice()
    if binary is None:
        raise PlanQAError(f"{path}: old Word .doc files need LibreOffice (Debian libreoffice-writer-nogui), "
                          f"which is not installed; {NO_LIBREOFFICE}")
    source = folder / f"input{path.suffix.lower()}"  # a plain name: soffice mis-parses some file names
    shutil.copyfile(path, source)
    command = [binary, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless", "--norestore",
               "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(folder / "out"), str(source)]
    try:
        subprocess.run(command, capture_output=True, timeout=CONVERT_SECONDS, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise PlanQAError(f"{path}: LibreOffice did not convert the .doc within {CONVERT_SECONDS} s; {NO_LIBREOFFICE}") from exc
    converted = folder / "out" / "input.docx"
    if not converted.is_file():
        raise PlanQAError(f"{path}: LibreOffice could not convert this .doc (damaged or password-protected?); {NO_LIBREOFFICE}")
    return converted


def read(path: Path, raw: bytes) -> Extracted:
    """Read a .doc through a LibreOffice conversion to .docx."""
    with tempfile.TemporaryDirectory(prefix="planqa-doc-") as tmp:
        converted = to_docx(path, Path(tmp))
        extracted = word.read(converted, converted.read_bytes())
    return Extracted(text=extracted.text, format="doc", headings=extracted.headings, tables=extracted.tables,
                     notes=("converted with LibreOffice",))
