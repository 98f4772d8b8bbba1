"""Find the Python interpreters an archive is checked with: a path, a command, a version, or all of them.

The competition does not say which CPython runs the archive, so ``digitkit check --python all`` tries every
one this machine has: pyenv's versions and ``python3.X`` commands on PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from digitkit.errors import ConfigError

VERSION = re.compile(r"^3\.\d+(\.\d+)?$")


def pyenv_pythons() -> list[Path]:
    """Each pyenv-installed CPython 3, oldest first."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [path / "bin" / "python3" for path in root.glob("3.*") if (path / "bin" / "python3").is_file()]
    return sorted(found, key=lambda path: _version_key(path.parent.parent.name))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version))


def version_of(python: Path) -> str:
    """The interpreter's full version, e.g. "3.9.18"; ConfigError when it does not run."""
    try:
        done = subprocess.run(
            [str(python), "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError as exc:
        raise ConfigError(f"{python} does not run: {exc.strerror}") from exc
    if done.returncode != 0:
        raise ConfigError(f"{python} does not run: {(done.stderr.strip().splitlines() or ['no output'])[-1]}")
    return done.stdout.strip()


def find_interpreter(spec: str) -> Path:
    """``spec``: a path, a command on PATH, or a version such as 3.9 or 3.9.18 (looked up in pyenv)."""
    if os.sep in spec and Path(spec).is_file():
        return Path(spec)
    if VERSION.match(spec):
        for python in reversed(pyenv_pythons()):  # the newest patch release of that version
            name = python.parent.parent.name
            if name == spec or name.startswith(spec + "."):
                return python
        command = shutil.which(f"python{'.'.join(spec.split('.')[:2])}")
        if command:
            return Path(command)
    elif os.sep not in spec and shutil.which(spec):
        return Path(str(shutil.which(spec)))
    known = ", ".join(python.parent.parent.name for python in pyenv_pythons()) or "none"
    raise ConfigError(
        f"no Python interpreter {spec!r}: give a path, a command on PATH, a version such as 3.9, or 'all' "
        f"(pyenv versions here: {known})"
    )


def interpreters(specs: list[str]) -> list[Path]:
    """Each spec (see :func:`find_interpreter`) as an interpreter, ``all`` as every one found."""
    return [python for spec in specs for python in (all_interpreters() if spec == "all" else [find_interpreter(spec)])]


def all_interpreters() -> list[Path]:
    """Every CPython 3 found, one per version, oldest first."""
    found = {python.parent.parent.name: python for python in pyenv_pythons()}
    for minor in range(6, 20):
        command = shutil.which(f"python3.{minor}")
        if command and not any(version.startswith(f"3.{minor}.") for version in found):
            found[version_of(Path(command))] = Path(command)
    return [found[version] for version in sorted(found, key=_version_key)]
