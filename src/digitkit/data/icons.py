"""Lucide's line icons as pen strokes: pictures of things that digitkit did not draw.

Lucide (the `lucide` package; the train extra installs it with `svgelements`, which reads SVG) is about 1,700
icons drawn by many designers on a 24-unit grid with one round 2-unit pen: a cup, a bell, a bus, a tree, arrows,
faces. Rendered with the page's pen they are what people draw on a drawing page when they do not draw a digit, and
no generator of digitkit's made them. The detector trains on four fifths of them (data/nondigits.py); the other
fifth, split by subject, is a held-out family (benchmarks/drawing_browser.py --strokes icons), and the icons of
the things data/strokes.py's held-out objects draw are left out of both.

Left out, as digits or as nothing: icons whose names hold a digit or a number word (clock faces, headings,
"binary", "list-ordered": several draw digits), a lone circle or ellipse (a 0), and anything on one straight
line (a 1).
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from importlib import resources

import numpy as np

from digitkit.data.strokes import Strokes, fitted, jittered, on_one_line
from digitkit.errors import UnavailableError

FAMILY = "icons"  #: what the detector trains on
HELD_OUT = "held-out icons"  #: a fifth of the icons, by subject, never trained on: reported apart
FAMILIES = (FAMILY, HELD_OUT)
DRAWS_DIGITS = re.compile(r"\d|binary|digit|ordered|superscript|subscript")
#: Words of icon names for the things data/strokes.py's held-out objects draw (a fish, a cup, a car, ...; Lucide's
#: lightning is "zap" and its envelope "mail"): icons of them are left out, so the held-out figure stays one for
#: things training never saw drawn by anyone.
OBJECT_SUBJECTS = frozenset(
    [
        "fish",
        "flower",
        "cloud",
        "cat",
        "umbrella",
        "cup",
        "coffee",
        "car",
        "key",
        "moon",
        "zap",
        "lightning",
        "balloon",
        "mail",
        "envelope",
    ]
)
SPACING = 0.3  #: grid units between sampled points (the pen is 2 units wide)


def _archive() -> zipfile.ZipFile:
    try:
        blob = resources.files("lucide").joinpath("lucide.zip").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as error:
        raise UnavailableError("the icons need the lucide package: pip install -e '.[train]'") from error
    return zipfile.ZipFile(io.BytesIO(blob))


def strokes_of(svg: bytes) -> Strokes:
    """Every subpath of every shape of an SVG document as a polyline in its own units (y down)."""
    from svgelements import SVG, Move, Path, Shape

    out = []
    for element in SVG.parse(io.BytesIO(svg)).elements():
        if not isinstance(element, Shape):
            continue
        for subpath in Path(element).as_subpaths():
            pieces = [  # each segment sampled on its own, so that its ends (the corners) are points
                np.asarray(segment.npoint(np.linspace(0.0, 1.0, max(2, int(np.ceil(length / SPACING)) + 1))))
                for segment in subpath
                if not isinstance(segment, Move) and (length := segment.length(error=1e-3)) > 0
            ]
            if pieces:
                out.append(np.concatenate([pieces[0], *(piece[1:] for piece in pieces[1:])]).astype(np.float64))
    return out


def _like_digit(strokes: Strokes) -> bool:
    """A drawing on one straight line (a 1), or one round closed loop (a 0: its area is that of the ellipse in
    its box, as a circle's or an egg's is and a square's, at 4/pi of it, is not)."""
    if on_one_line(strokes):
        return True
    if len(strokes) != 1 or np.linalg.norm(strokes[0][0] - strokes[0][-1]) > 0.5:
        return False
    x, y = strokes[0].T
    area = 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    ellipse = np.pi / 4 * float(np.ptp(x)) * float(np.ptp(y))
    return 0.9 < area / max(ellipse, 1e-9) < 1.1


def _subject(name: str) -> str:
    """An icon name's first word: a bell, a bell-off and a bell-ring share it."""
    return name.split("-")[0]


@functools.cache
def icons() -> dict[str, tuple[tuple[str, Strokes], ...]]:
    """Family -> (name, strokes in a unit box) of every icon kept, sorted by name. Every fifth subject in sorted
    order is held out with all its variants, so no variant of a held-out icon is trained on."""
    archive = _archive()
    kept = []
    for filename in sorted(archive.namelist()):
        name = filename.removesuffix(".svg")
        if not filename.endswith(".svg") or DRAWS_DIGITS.search(name) or OBJECT_SUBJECTS & set(name.split("-")):
            continue
        strokes = strokes_of(archive.read(filename))
        if strokes and not _like_digit(strokes):
            kept.append((name, fitted(strokes)))
    held_out = set(sorted({_subject(name) for name, _ in kept})[4::5])
    out: dict[str, list[tuple[str, Strokes]]] = {FAMILY: [], HELD_OUT: []}
    for name, strokes in kept:
        out[HELD_OUT if _subject(name) in held_out else FAMILY].append((name, strokes))
    return {family: tuple(items) for family, items in out.items()}


def drawing(family: str, rng: np.random.Generator) -> tuple[str, Strokes]:
    """(name, strokes) of one icon of ``family``, jittered like a hand as data/strokes.py jitters its own
    drawings."""
    if family not in FAMILIES:
        raise ValueError(f"the icons' families are {FAMILIES}, not {family!r}")
    choices = icons()[family]
    name, strokes = choices[int(rng.integers(len(choices)))]
    return name, jittered(strokes, rng)
