"""Build the submission archive: run.sh, python.txt, the serving code as one file (service.py), and the model."""

from __future__ import annotations

import ast
import io
import zipfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from digitkit.errors import ConfigError
from digitkit.files import write_atomic
from digitkit.runtime import resolve_artifact

ARCHIVE_LIMIT = 4 * 1024 * 1024  #: the competition's limit on the archive
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
#: The modules the contract service imports, relative to the digitkit package. No torch, no training.
SERVING_MODULES = (
    "__init__.py",
    "errors.py",
    "preprocess.py",
    "runtime/__init__.py",
    "runtime/artifact.py",
    "runtime/model.py",
    "serve/__init__.py",
    "serve/batcher.py",
    "serve/contract.py",
    "serve/contract_app.py",
    "serve/decode.py",
    "serve/errors.py",
    "serve/limits.py",
    "serve/protocol.py",
    "serve/runner.py",
    "serve/settings.py",
    "serve/state.py",
    "serve/submission.py",
    "serve/uploads.py",
)
#: Distributions the serving code needs, pinned to the versions installed here (the ones tested).
REQUIREMENTS = ("numpy", "pillow", "onnxruntime", "starlette", "uvicorn", "httptools", "uvloop", "multipart")
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


def python_requirements() -> str:
    return "".join(f"{name}=={metadata.version(name)}\n" for name in REQUIREMENTS)


def _minify(source: str) -> str:
    """Drop docstrings, comments and blank lines (via the AST): same code, fewer bytes in the archive."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree) + "\n"


def _module_name(path: str) -> str:
    """Path to dotted name: serve/contract.py -> digitkit.serve.contract, runtime/__init__.py -> digitkit.runtime."""
    parts = ["digitkit", *path.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def service_source() -> str:
    """SERVING_MODULES and the finder that imports them (package/bundle.py) as one file that starts the service."""
    sources = {_module_name(path): _minify((PACKAGE_ROOT / path).read_text()) for path in SERVING_MODULES}
    packages = [_module_name(path) for path in SERVING_MODULES if path.endswith("__init__.py")]
    return (
        _minify((PACKAGE_ROOT / "package" / "bundle.py").read_text())
        + f"SourceFinder({sources!r}, {packages!r}, os.path.dirname(os.path.abspath(__file__))).install()\n"
        + "import runpy\nrunpy.run_module('digitkit.serve.submission', run_name='__main__', alter_sys=True)\n"
    )


def archive_bytes(model: str | Path) -> tuple[bytes, list[tuple[str, int]]]:
    artifact = resolve_artifact(model)
    files: list[tuple[str, bytes]] = [
        ("run.sh", RUN_SH.encode()),
        ("python.txt", python_requirements().encode()),
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
