"""How many non-digits the page rejects, and how many digits it loses, at every detector threshold.

    python benchmarks/reject_curve.py [--per-family 100] [--digits 300] [--mnist 1000] [--quickdraw 650]
                                      [--fonts 300] [--scripts 300] [--detector PATH] [--groups PATH|none]
                                      [--png curve.png]

The page rejects a piece of ink when a shape rule fires (segment/reject.py) or when the detector's probability
of "not a digit" is above MAX_OTHER. This script runs the page's own segmentation (serve/web/recognise.segmented:
the strokes sent with the drawing, the classifier and the detector choosing the cuts) and rules in-process on
canvases drawn as drawing_browser.py --without-browser draws them (the shipped groups model vetoing cuts between
strokes, as the page does; ``--groups`` another, or none), and sweeps the threshold instead of fixing it:
a drawing counts as rejected when every piece is, a digit as lost when no piece is kept. The "detector alone"
curves leave the shape rules out: the gap is what the rules add. Under the table, each group's figure at the
shipped threshold with its 95% interval (a few hundred drawings leave several points either way).

Groups: the families the detector trained on (digitkit's strokes, Hershey's Latin letters, four fifths of Lucide's
icons), each held-out family apart (digitkit's objects; Hershey's Greek, Japanese and symbols; Lucide's held-out
fifth; Tabler's icons), digits drawn as strokes (digitkit's, and the Hershey fonts' roman and script ones), and MNIST
test digits enlarged on a canvas (no strokes sent). Quick, Draw!'s drawings (data/quickdraw.py: people's, not a
generator's) come as lines in a 28x28 box, not strokes: they are enlarged onto the canvas, traced with the page's
pen, and sent without strokes, as an uploaded image is: the held-out fifth of its subjects and (the last 15
drawings of each of) the others; no shipped detector trained on either. The handwriting fonts (data/handwriting.py:
30 type designers' hands) give 300 digits and a held-out family of letters, drawn the same way, and so do 300
letters of eleven other scripts (data/scripts.py: Cyrillic to Cherokee, from Noto's fonts; no recipe trains on them).
The curve shows what moving MAX_OTHER would buy on the held-out families and cost in digits; reading a threshold
off the held-out curves would make them stop measuring the unseen, so it is a view, not a tuning tool.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import share, shown, write_result  # noqa: E402
from digitkit.data import handwriting, quickdraw, scripts  # noqa: E402
from digitkit.data.mnist import cache_dir, load_mnist  # noqa: E402
from digitkit.data.numbers import written_number  # noqa: E402
from digitkit.data.strokes import on_canvas, placed_at_random  # noqa: E402
from digitkit.progress import report_line, steps  # noqa: E402
from digitkit.runtime import Model, load_model  # noqa: E402
from digitkit.runtime.model import softmax  # noqa: E402
from digitkit.segment import judge  # noqa: E402
from digitkit.segment.reject import MAX_OTHER  # noqa: E402
from digitkit.serve.web.recognise import segmented  # noqa: E402
from drawing_browser import raster_at_random, source  # noqa: E402

CANVAS = (840, 420)  #: the page's canvas, width x height
PEN = 30.0  #: the page's default pen
THRESHOLDS = np.round(np.arange(0.05, 1.0, 0.05), 2)


def piece_scores(
    gray: np.ndarray, model: Model, detector: Model, strokes: list[np.ndarray] | None, groups: Model | None = None
) -> np.ndarray:
    """(2, pieces): each piece's detector probability of "not a digit" (rejected at every threshold below it),
    and 1 where a shape rule rejects it whatever the threshold. Nothing found: one piece, rejected. ``groups``:
    the groups model that vetoes cuts between strokes, as the page does."""
    sent = None if strokes is None else [(PEN, [tuple(p) for p in s]) for s in strokes]
    pieces = segmented(gray, model, detector, sent, groups)
    if not pieces:
        return np.array([[1.0], [1.0]])
    crops = np.stack([p.image for p in pieces])
    proba = softmax(model.predict_logits(crops))
    other = softmax(detector.predict_logits(crops))[:, 1]
    tallest = max(p.box[3] for p in pieces)
    # The rules see the detector's opinion (a piece it is sure of is a digit however unsure the classifier is)
    # but never its threshold: that is what the curve sweeps.
    ruled = [
        not judge(pr, p.box, p.image, tallest, min(float(o), MAX_OTHER)).is_digit
        for p, pr, o in zip(pieces, proba, other, strict=True)
    ]
    return np.stack([other, np.array(ruled, float)])


def rasters(images: Sequence[np.ndarray], count: int, model: Model, detector: Model, seed: int) -> list[np.ndarray]:
    """Piece scores of ``count`` of the raster ``images`` (each at most once), each traced with the page's pen on
    its canvas 40-80% of the canvas tall, anywhere across it, and sent without strokes."""
    rng = np.random.default_rng(seed)
    scores = []
    for index in rng.choice(len(images), min(count, len(images)), replace=False):
        canvas = raster_at_random(images[index], CANVAS, rng, PEN)
        scores.append(piece_scores(canvas, model, detector, None))
    report_line(f"{len(scores)} raster drawings done")
    return scores


def rejected_at(scores: list[np.ndarray], rules: bool = True) -> list[float]:
    """Share of drawings with every piece rejected, at each threshold (by the detector alone without ``rules``)."""
    return [float(np.mean([bool(((s[0] > t) | (rules & (s[1] > 0))).all()) for s in scores])) for t in THRESHOLDS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-family", type=int, default=100, help="drawings of each non-digit family")
    parser.add_argument("--digits", type=int, default=300, help="single digits drawn as strokes, of each source")
    parser.add_argument("--mnist", type=int, default=1000, help="MNIST test digits, enlarged on a canvas")
    parser.add_argument(
        "--quickdraw", type=int, default=650, help="Quick, Draw! drawings of each of its two groups (0: none)"
    )
    parser.add_argument(
        "--fonts", type=int, default=300, help="digits, and letters, of the handwriting fonts (0: none)"
    )
    parser.add_argument(
        "--scripts", type=int, default=300, help="letters of eleven other scripts' fonts (data/scripts.py; 0: none)"
    )
    parser.add_argument("--detector", type=Path, help="an exported detector (.onnx) instead of the shipped one")
    parser.add_argument(
        "--groups",
        default="groups",
        help="a groups model (.onnx) vetoing cuts between strokes (default: the shipped one; none: no veto)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--png", type=Path, help="also plot the curves here")
    args = parser.parse_args()

    model, detector = load_model("default"), load_model(args.detector or "detector")
    groups = None if args.groups == "none" else load_model(args.groups)
    rng = np.random.default_rng(args.seed)
    curves: dict[str, list[float]] = {}
    drawn: dict[str, int] = {}  #: how many drawings each curve is of: its figures' 95% intervals

    def add(label: str, scores: list[np.ndarray], rules: bool = True) -> None:
        curves[label], drawn[label] = rejected_at(scores, rules), len(scores)

    trained_scores: list[np.ndarray] = []
    held_out_scores: list[np.ndarray] = []
    for name in ("digitkit", "hershey", "icons"):
        drawings = source(name)
        for family in steps(drawings.families, desc=f"{name} families"):
            scores = []
            for _ in range(args.per_family):
                strokes = placed_at_random(drawings.drawing(family, rng)[1], CANVAS, rng)
                scores.append(piece_scores(on_canvas(strokes, CANVAS[::-1], PEN), model, detector, strokes, groups))
            if family in drawings.trained:
                trained_scores += scores
            else:
                add(f"held out: {name} {family}", scores)
                held_out_scores += scores
    add("trained families (all)", trained_scores)
    add("held-out families (all)", held_out_scores)

    digit_scores: dict[str, list[np.ndarray]] = {}
    for name in ("digitkit", "hershey"):  # digitkit's stroke digits, and Hershey's roman and script ones
        draw = source(name).drawing
        digit_scores[name] = []
        for _ in range(args.digits):
            strokes = placed_at_random(draw("digits", rng)[1], CANVAS, rng)
            canvas = on_canvas(strokes, CANVAS[::-1], PEN)
            digit_scores[name].append(piece_scores(canvas, model, detector, strokes, groups))
        add(f"{name} stroke digits lost", digit_scores[name])
        report_line(f"{args.digits} {name} stroke digits done")
    images = load_mnist("test", cache_dir())[0][: args.mnist]
    mnist_scores = [piece_scores(written_number([image]), model, detector, None) for image in images]
    add("MNIST test digits lost", mnist_scores)
    # Raster drawings by other hands, traced with the page's pen and sent without strokes; each group on its own
    # random stream, so the groups above keep their drawings.
    raster_scores: dict[str, list[np.ndarray]] = {}
    if args.quickdraw:
        for label, family, part in (
            ("held out: quickdraw subjects", quickdraw.HELD_OUT, "all"),
            ("quickdraw, the other subjects", quickdraw.FAMILY, "valid"),
        ):
            images, _ = quickdraw.images_of(cache_dir(), family, part)
            raster_scores[label] = rasters(images, args.quickdraw, model, detector, args.seed)
    if args.fonts:
        raster_scores["held out: handwriting fonts letters"] = rasters(
            [ink for _, ink in handwriting.written(cache_dir(), digits=False)], args.fonts, model, detector, args.seed
        )
        raster_scores["handwriting fonts digits lost"] = rasters(
            [ink for _, ink in handwriting.written(cache_dir(), digits=True)], args.fonts, model, detector, args.seed
        )
    if args.scripts:
        raster_scores["held out: other scripts' letters"] = rasters(
            [ink for _, ink in scripts.written(cache_dir())], args.scripts, model, detector, args.seed
        )
    for label, scores in raster_scores.items():
        add(label, scores)
    for label, scores in (
        ("trained families", trained_scores),
        ("held-out families", held_out_scores),
        ("digitkit stroke digits lost", digit_scores["digitkit"]),
        ("hershey stroke digits lost", digit_scores["hershey"]),
        ("MNIST test digits lost", mnist_scores),
        *raster_scores.items(),
    ):
        add(f"{label}, detector alone", scores, rules=False)

    print(f"\nshare rejected at each detector threshold (shipped: {MAX_OTHER}); digits: share lost")
    print(f"{'threshold':>44} " + " ".join(f"{t:>5.2f}" for t in THRESHOLDS))
    for label, values in curves.items():
        print(f"{label:>44} " + " ".join(f"{100 * v:5.1f}" for v in values))
    shipped = int(np.argmin(np.abs(THRESHOLDS - MAX_OTHER)))
    print("\nat the shipped threshold, with 95% intervals (drawings rejected; digits: lost)")
    for label, values in curves.items():
        print(f"{label:>44} {shown(round(values[shipped] * drawn[label]), drawn[label])}")
    if args.png:
        plot(curves, args.png)
    write_result(
        "reject_curve",
        {
            "thresholds": THRESHOLDS.tolist(),
            "shipped": MAX_OTHER,
            "curves": curves,
            "drawings": drawn,
            "at_shipped": {label: share(round(v[shipped] * drawn[label]), drawn[label]) for label, v in curves.items()},
        },
    )


def plot(curves: dict[str, list[float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(13, 6))
    for label, values in curves.items():
        style = "--" if "lost" in label else (":" if label.startswith("held out") else "-")
        alone = "alone" in label
        axis.plot(THRESHOLDS, 100 * np.array(values), style, label=label, linewidth=0.8 if alone else 1.6)
    axis.axvline(MAX_OTHER, color="grey", linewidth=0.8)
    axis.set(xlabel="detector threshold (MAX_OTHER)", ylabel="% rejected (digits: % lost)", ylim=(0, 100))
    axis.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))  # beside the curves, not over them
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    print(f"plotted {path}")


if __name__ == "__main__":
    main()
