"""Line icons as pen strokes: pictures of things that digitkit did not draw.

Lucide (the `lucide` package; the train extra installs it with `svgelements`, which reads SVG) is about 1,700
icons drawn by many designers on a 24-unit grid with one round 2-unit pen: a cup, a bell, a bus, a tree, arrows,
faces. Rendered with the page's pen they are what people draw on a drawing page when they do not draw a digit, and
no generator of digitkit's made them. The detector trains on four fifths of them (data/nondigits.py); the other
fifth, split by subject, is a held-out family (benchmarks/drawing_browser.py --strokes icons), and the icons of
the things data/strokes.py's held-out objects draw are left out of both.

Tabler (the outline set of the `pytablericons` package, in the bench and test extras) is a second library of about
4,600 icons in the same style by other designers. No recipe trains on it: its icons of subjects that no trained
Lucide icon shows are a second, larger held-out family, pictures that neither digitkit nor the detector's training
data drew.

Left out, as digits or as nothing: icons whose names hold a digit or a number word (clock faces, headings,
"binary", "list-ordered", Tabler's "circle-number-*": several draw digits), a lone circle or ellipse (a 0), and
anything on one straight line (a 1); of Tabler's, also the letters O, I and S (0, 1, 5: data/hershey.py leaves
them out) and the brand logos (no one draws them on a digit page, and some are rings: Opera's is a 0).
"""

from __future__ import annotations

import functools
import importlib.util
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

import numpy as np

from digitkit.data.strokes import Strokes, fitted, jittered, on_one_line
from digitkit.errors import UnavailableError

FAMILY = "icons"  #: what the detector trains on
HELD_OUT = "held-out icons"  #: a fifth of Lucide's icons, by subject, never trained on: reported apart
TABLER = "tabler icons"  #: Tabler's icons of subjects no trained icon shows: held out too
LUCIDE_FAMILIES = (FAMILY, HELD_OUT)
FAMILIES = (*LUCIDE_FAMILIES, TABLER)
DRAWS_DIGITS = re.compile(r"\d|binary|digit|number|ordered|superscript|subscript")
#: Tabler's brand logos, and its letters that no one can tell from 0, 1 and 5 (data/hershey.py's rule)
NOT_DRAWN = re.compile(r"^(brand-|letter-[ois](-small)?$)")
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
#: Tabler's names and tags for them as well: its lightning is a "bolt" and a cup may be a "mug".
TABLER_OBJECT_WORDS = OBJECT_SUBJECTS | {"bolt", "mug"}
SPACING = 0.3  #: grid units between sampled points (the pen is 2 units wide)
TAGS = re.compile(rb"tags: \[([^\]]*)\]")  #: Tabler's words for an icon, in a comment before its <svg>


def _lucide() -> Iterator[tuple[str, bytes]]:
    try:
        blob = resources.files("lucide").joinpath("lucide.zip").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as error:
        raise UnavailableError("the icons need the lucide package: pip install -e '.[train]'") from error
    archive = zipfile.ZipFile(io.BytesIO(blob))
    for filename in sorted(archive.namelist()):
        if filename.endswith(".svg"):
            yield filename.removesuffix(".svg"), archive.read(filename)


def _tabler() -> Iterator[tuple[str, bytes]]:
    """Tabler's outline icons, read from the package's folder without importing it (its import loads pygame)."""
    spec = importlib.util.find_spec("pytablericons")
    locations = spec.submodule_search_locations if spec else None
    folder = Path(locations[0]) / "icons" / "outline" if locations else None
    if folder is None or not folder.is_dir():
        raise UnavailableError("Tabler's icons need the pytablericons package: pip install -e '.[bench]'")
    for path in sorted(folder.glob("*.svg")):
        yield f"tabler:{path.stem}", path.read_bytes()


def _words(name: str, svg: bytes) -> set[str]:
    """The words of an icon's name and tags, lower case: "cloud-rain" and tags [weather, storm] give four."""
    tags = TAGS.search(svg)
    listed = tags.group(1).decode("utf-8", "replace") if tags else ""
    return set(re.findall(r"[a-z]+", f"{_bare(name)} {listed}".lower()))


def strokes_of(svg: bytes) -> Strokes:
    """Every subpath of every shape of an SVG document as a polyline in its own units (y down)."""
    from svgelements import SVG, Move, Shape
    from svgelements import Path as SvgPath

    out = []
    for element in SVG.parse(io.BytesIO(svg)).elements():
        if not isinstance(element, Shape) or element.stroke is None or element.stroke.value is None:
            continue  # not a shape, or one that draws no line (Tabler's invisible 24x24 frame)
        for subpath in SvgPath(element).as_subpaths():
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


def _bare(name: str) -> str:
    """An icon's name without its library ("tabler:bell-off" -> "bell-off")."""
    return name.rpartition(":")[2]


def _subject(name: str) -> str:
    """An icon name's first word: a bell, a bell-off, a bell-ring and Tabler's bell share it."""
    return _bare(name).split("-")[0]


def _kept(svgs: Iterable[tuple[str, bytes]], objects: frozenset[str]) -> list[tuple[str, Strokes]]:
    """(name, strokes in a unit box) of the icons that draw no digit, look like none and show none of
    ``objects`` (words of their names or tags)."""
    kept = []
    for name, svg in svgs:
        bare = _bare(name)
        if DRAWS_DIGITS.search(bare) or NOT_DRAWN.search(bare) or objects & _words(name, svg):
            continue
        strokes = strokes_of(svg)
        if strokes and not _like_digit(strokes):
            kept.append((name, fitted(strokes)))
    return kept


@functools.cache
def icons() -> dict[str, tuple[tuple[str, Strokes], ...]]:
    """Lucide's two families -> (name, strokes in a unit box) of every icon kept, sorted by name. Every fifth
    subject in sorted order is held out with all its variants, so no variant of a held-out icon is trained on."""
    kept = _kept(_lucide(), OBJECT_SUBJECTS)
    held_out = set(sorted({_subject(name) for name, _ in kept})[4::5])
    out: dict[str, list[tuple[str, Strokes]]] = {FAMILY: [], HELD_OUT: []}
    for name, strokes in kept:
        out[HELD_OUT if _subject(name) in held_out else FAMILY].append((name, strokes))
    return {family: tuple(items) for family, items in out.items()}


@functools.cache
def tabler() -> tuple[tuple[str, Strokes], ...]:
    """(name, strokes) of Tabler's icons ("tabler:bell-off") of subjects that no icon the detector trains on
    shows: a held-out family from a library no recipe reads."""
    trained = {_subject(name) for name, _ in icons()[FAMILY]}
    return tuple(item for item in _kept(_tabler(), TABLER_OBJECT_WORDS) if _subject(item[0]) not in trained)


def drawing(family: str, rng: np.random.Generator) -> tuple[str, Strokes]:
    """(name, strokes) of one icon of ``family``, jittered like a hand as data/strokes.py jitters its own
    drawings."""
    if family not in FAMILIES:
        raise ValueError(f"the icons' families are {FAMILIES}, not {family!r}")
    choices = tabler() if family == TABLER else icons()[family]
    name, strokes = choices[int(rng.integers(len(choices)))]
    return name, jittered(strokes, rng)
