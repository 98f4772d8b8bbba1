"""An experiment, not shipped: would a small net that tells touching digits from one letter stop the page cutting
letters into digits?

    python benchmarks/cut_veto.py [--examples 5000] [--epochs 12] [--drawings 200] [--seed 0]

The page cuts a group of ink between strokes whenever every piece of the cut reads as a sure digit
(segment/strokes.stroke_options, serve/web/recognise.segmented). Touching digits need that; but a letter drawn in
two or three strokes is cut the same way, and its pieces are digits' shapes: a Greek eta comes back 77, a Pi 17, an
omega 00, a Latin h 17, while the detector calls the whole letter no digit (0.97-1.00). The detector cannot veto
the cut: it calls touching digits no digit just as surely (overlapping digits are among its non-digits).

So this script trains a second opinion on the whole group, in about a minute on two cores: a 3-layer convnet on the
page's crops (28x28) of groups the page could cut, several touching digits (digitkit's stroke digits, 2 or 3 of
them, 0.45-1.0 of a cell apart) against one drawing in several strokes from the families the detector trains on
(Hershey's Latin letters, digitkit's letters, symbols, shapes, pictures, scribbles, hatching and doodles). Hershey's
digits, its Greek, Japanese and symbol glyphs and digitkit's objects are not trained on: they measure it. Then it
runs the page's own segmentation and rules in-process (as benchmarks/reject_curve.py does) with no veto and with
the veto at two thresholds (a group the net gives more than that for "one drawing" is not cut), on the same
drawings: non-digits rejected per family, Hershey's single digits read right, and 3-digit numbers apart and
touching, Hershey's and digitkit's, each with its 95% interval.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import share, shown, write_result  # noqa: E402
from digitkit.data import hershey  # noqa: E402
from digitkit.data import strokes as own  # noqa: E402
from digitkit.data.strokes import on_canvas  # noqa: E402
from digitkit.progress import report_line, steps  # noqa: E402
from digitkit.runtime import Model, load_model  # noqa: E402
from digitkit.runtime.model import softmax  # noqa: E402
from digitkit.segment import Segment, find_digits, judge  # noqa: E402
from digitkit.segment.strokes import Stroke, stroke_options  # noqa: E402
from digitkit.serve.web import recognise  # noqa: E402
from drawing_browser import number_strokes, placed_at_random  # noqa: E402

CANVAS, PEN = (840, 420), 30.0
THRESHOLDS = (None, 0.8, 0.9)  #: None: the page as shipped
Drawing = Callable[[str, np.random.Generator], tuple[str, list[np.ndarray]]]


def cuttable(strokes: list[np.ndarray], every_group: bool = False) -> list[np.ndarray]:
    """The page's crops of the groups of ``strokes`` it could cut between strokes (``every_group``: all groups)."""
    drawn = [Stroke(PEN, np.asarray(s, dtype=np.float64)) for s in strokes]
    groups = find_digits(on_canvas(strokes, CANVAS[::-1], PEN))
    return [g.image for g in groups if every_group or stroke_options(g, drawn)]


def touching_groups(draw: Drawing, count: int, rng: np.random.Generator) -> np.ndarray:
    out: list[np.ndarray] = []
    while len(out) < count:
        digits = [draw("digits", rng)[1] for _ in range(int(rng.integers(2, 4)))]
        height = float(rng.uniform(0.35, 0.75)) * CANVAS[1]
        out += cuttable(number_strokes(digits, float(rng.uniform(0.45, 1.0)), height, CANVAS))
    return np.stack(out[:count])


def one_drawing_groups(count: int, rng: np.random.Generator) -> np.ndarray:
    """Groups of one drawing in two or more strokes, from the detector's trained families (any group: only a few
    percent of them get a cut offered, too few to train on)."""
    sources: list[tuple[Drawing, str]] = [(hershey.drawing, "latin")] * 3 + [(own.drawing, f) for f in own.TRAINED]
    out: list[np.ndarray] = []
    while len(out) < count:
        draw, family = sources[int(rng.integers(len(sources)))]
        strokes = draw(family, rng)[1]
        if len(strokes) >= 2:
            out += cuttable(placed_at_random(strokes, CANVAS, rng), every_group=True)
    return np.stack(out[:count])


def trained_veto(examples: int, epochs: int, seed: int) -> Callable[[np.ndarray], float]:
    """The second opinion: P(one drawing, not several digits) of a group's crop."""
    import torch
    from torch import nn

    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    several, one = touching_groups(own.drawing, examples, rng), one_drawing_groups(examples, rng)
    report_line(f"{examples} touching-digit groups and {examples} one-drawing groups drawn")
    images = torch.tensor(np.concatenate([several, one])[:, None], dtype=torch.float32)
    labels = torch.tensor([0.0] * examples + [1.0] * examples)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 1),
    )  # fmt: skip
    optimizer = torch.optim.AdamW(net.parameters(), 2e-3, weight_decay=1e-4)
    for _ in steps(range(epochs), desc="training the veto"):
        net.train()
        order = torch.randperm(len(images))
        for start in range(0, len(order), 128):
            batch = order[start : start + 128]
            shift = tuple(int(v) for v in rng.integers(-2, 3, 2))  # a pixel or two of shift
            logits = net(torch.roll(images[batch], shift, (2, 3)))[:, 0]
            loss = nn.functional.binary_cross_entropy_with_logits(logits, labels[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    net.eval()

    def veto(image: np.ndarray) -> float:
        with torch.no_grad():
            return float(torch.sigmoid(net(torch.tensor(image[None, None], dtype=torch.float32)))[0, 0])

    return veto


@contextmanager
def vetoed(veto: Callable[[np.ndarray], float], threshold: float | None) -> Iterator[None]:
    """The page's segmentation, with no cut offered for a group the veto gives more than ``threshold``."""

    def options(segment: Segment, strokes: list[Stroke]) -> list[list[Segment]]:
        found = stroke_options(segment, strokes)
        return [] if found and threshold is not None and veto(segment.image) > threshold else found

    recognise.stroke_options = options  # type: ignore[assignment]  # segmented() looks it up at each call
    try:
        yield
    finally:
        recognise.stroke_options = stroke_options  # type: ignore[assignment]


def read(strokes: list[np.ndarray], model: Model, detector: Model) -> str:
    """What the page answers: a digit or "?" per piece, left to right ("" for nothing found)."""
    sent = [(PEN, [tuple(p) for p in s]) for s in strokes]
    pieces = recognise.segmented(on_canvas(strokes, CANVAS[::-1], PEN), model, detector, sent)
    if not pieces:
        return ""
    crops = np.stack([p.image for p in pieces])
    proba, other = softmax(model.predict_logits(crops)), softmax(detector.predict_logits(crops))[:, 1]
    tallest = max(p.box[3] for p in pieces)
    verdicts = [judge(pr, p.box, p.image, tallest, float(o)) for p, pr, o in zip(pieces, proba, other, strict=True)]
    return "".join(str(int(pr.argmax())) if v.is_digit else "?" for pr, v in zip(proba, verdicts, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=5000, help="training groups of each kind")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--drawings", type=int, default=200, help="drawings of each family, digits and numbers")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    veto = trained_veto(args.examples, args.epochs, args.seed)
    model, detector = load_model("default"), load_model("detector")
    rng = np.random.default_rng(args.seed + 1)
    groups: dict[str, list[tuple[list[np.ndarray], str | None]]] = {}  # strokes, the answer wanted (None: "?")
    for draw, families in ((hershey.drawing, hershey.FAMILIES), (own.drawing, ("letters", "doodles", "objects"))):
        for family in families:
            groups[family] = [(placed_at_random(draw(family, rng)[1], CANVAS, rng), None) for _ in range(args.drawings)]
    groups["hershey digits"] = []
    for _ in range(args.drawings):
        name, strokes = hershey.drawing("digits", rng)
        groups["hershey digits"].append((placed_at_random(strokes, CANVAS, rng), name))
    for label, draw in (("hershey", hershey.drawing), ("digitkit", own.drawing)):
        for spacing, advance in (("apart", 1.3), ("touching", 0.6)):
            numbers = groups[f"{label} numbers {spacing}"] = []
            for _ in range(args.drawings):
                drawn = [draw("digits", rng) for _ in range(3)]
                strokes = number_strokes([s for _, s in drawn], advance, 0.55 * CANVAS[1], CANVAS)
                numbers.append((strokes, "".join(n for n, _ in drawn)))
    hits: dict[str, dict[str, int]] = {group: {} for group in groups}
    for threshold in THRESHOLDS:
        column = "shipped" if threshold is None else f"veto > {threshold}"
        with vetoed(veto, threshold):
            for group in steps(list(groups), desc=column):
                answers = [(read(strokes, model, detector), wanted) for strokes, wanted in groups[group]]
                hits[group][column] = sum(
                    not got.replace("?", "") if wanted is None else got == wanted for got, wanted in answers
                )
    columns = ["shipped", *(f"veto > {t}" for t in THRESHOLDS[1:])]
    print(f"\n{'(rejected; digits and numbers: read right)':>44}  " + "  ".join(f"{c:<34}" for c in columns))
    for group, counts in hits.items():
        trained = group in ("latin", "letters", "doodles")
        label = f"{group}{'' if trained or 'digits' in group or 'numbers' in group else ' (held out)'}"
        print(f"{label:>44}  " + "  ".join(f"{shown(counts[c], args.drawings):<34}" for c in columns))
    figures = {g: {c: share(n, args.drawings) for c, n in counts.items()} for g, counts in hits.items()}
    write_result("cut_veto", {"args": vars(args), "figures": figures})


if __name__ == "__main__":
    main()
