"""Build the submission archive: run.sh, python.txt, the serving code as one file (service.py), and the model."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from digitkit.errors import ConfigError
from digitkit.files import write_atomic
from digitkit.package.bundle import ENTRY, LOADER, bundled_modules
from digitkit.runtime import load_model, resolve_artifact
from digitkit.tasks import DIGITS

ARCHIVE_LIMIT = 4 * 1024 * 1024  #: the competition's limit on the archive
#: python.txt: what the bundled code needs, as ranges that resolve to wheels on every supported CPython
#: (the organizers install it with their own pip; the lower bounds are the oldest versions tested).
PYTHON_TXT = """numpy>=1.21
pillow>=9.1
onnxruntime>=1.14
uvicorn>=0.22
httptools>=0.6
multipart>=1.1
"""
MODEL_FILE = "model.onnx"
SERVICE_FILE = "service.py"
RUN_SH = """#!/bin/sh
# Start the digitkit service on $1:$2 (the organizers run: sh run.sh HOST PORT).
cd "$(dirname "$0")" || exit 1
export PYTHONDONTWRITEBYTECODE=1 OMP_NUM_THREADS=1
exec "${PYTHON:-python3}" service.py "${1:-0.0.0.0}" "${2:-8000}" model.onnx
"""


@dataclass
class ArchiveReport:
    path: Path
    bytes: int
    entries: list[tuple[str, int]]  #: (name, uncompressed bytes)


def service_source() -> str:
    """The contract service and what it imports (package/bundle.py) as one file that starts the service."""
    modules = ",\n".join(f"({name!r},{package},{_literal(source)})" for name, package, source in bundled_modules())
    return f"M=[{modules}]\n{LOADER}sys.modules[{ENTRY!r}].main(sys.argv[1:])\n"


def _literal(source: str) -> str:
    """``source`` as a raw triple-quoted literal (newlines unescaped: fewer bytes), else its repr."""
    if "'''" in source or source.endswith("\\") or "\r" in source:
        return repr(source)
    return f"r'''{source}'''"


def archive_bytes(model: str | Path) -> tuple[bytes, list[tuple[str, int]]]:
    artifact = resolve_artifact(model)
    task = load_model(artifact).meta.task  # refuses empty, foreign and unknown-version files with the reason
    if task != DIGITS.name:
        raise ConfigError(f"{model} is a {task} model, not a digit classifier; package a digit model")
    files: list[tuple[str, bytes]] = [
        ("run.sh", RUN_SH.encode()),
        ("python.txt", PYTHON_TXT.encode()),
        (MODEL_FILE, artifact.read_bytes()),
        (SERVICE_FILE, service_source().encode()),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))  # fixed time: reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
            archive.writestr(info, data)
    return buffer.getvalue(), [(name, len(data)) for name, data in files]


def build_archive(model: str | Path, output: Path) -> ArchiveReport:
    data, entries = archive_bytes(model)
    if len(data) > ARCHIVE_LIMIT:
        raise ConfigError(
            f"the archive would be {len(data):,} bytes, over the competition's limit of {ARCHIVE_LIMIT:,}; "
            "choose a smaller model"
        )
    write_atomic(output, data)
    return ArchiveReport(output, len(data), entries)
