"""Touching digits: 3 MNIST test digits per canvas, each placed ``advance`` x the previous digit's ink width
to the right (1.0: the ink boxes touch; below 1.0 they overlap; 1.3: apart), read with and without splitting.

With splitting is the page's reading of an image sent without strokes (serve/web/recognise.segmented: cuts
between columns scored by the classifier and the shipped detector, then the page's rules and detector), as an API
client's upload is read. Deterministic (seed 1); the canvases come from this script, not from people drawing
(benchmarks/drawing_browser.py draws numbers with strokes, as the page sends them).

    python benchmarks/touching.py [--numbers 500] [--advance 1.3 1.0 0.8 0.6]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402
from digitkit.data.numbers import written_number  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--numbers", type=int, default=500)
    parser.add_argument("--advance", type=float, nargs="+", default=[1.3, 1.0, 0.8, 0.6])
    args = parser.parse_args()
    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.runtime import load_model
    from digitkit.runtime.model import softmax
    from digitkit.segment import find_digits, judge
    from digitkit.serve.web.recognise import segmented

    ensure_mnist(cache_dir(), progress=True)
    images, labels = load_mnist("test", cache_dir())
    model, detector = load_model("default"), load_model("detector")

    def read(drawing: np.ndarray, split: bool) -> str:
        segments = segmented(drawing, model, detector) if split else find_digits(drawing)
        if not segments:
            return ""
        tallest = max(s.box[3] for s in segments)
        crops = np.stack([s.image for s in segments])
        verdicts = zip(
            segments,
            softmax(model.predict_logits(crops)),
            softmax(detector.predict_logits(crops))[:, 1],
            strict=True,
        )
        return "".join(
            str(int(p.argmax())) if judge(p, s.box, s.image, tallest, other).is_digit else "?"
            for s, p, other in verdicts
        )

    rows = []
    for advance in args.advance:
        rng = np.random.default_rng(1)
        right = {True: 0, False: 0}
        for _ in range(args.numbers):
            picks = rng.integers(0, len(labels), 3)
            drawing, truth = written_number([images[i] for i in picks], advance), "".join(map(str, labels[picks]))
            for split in (True, False):
                right[split] += read(drawing, split) == truth
        row = {"advance": advance, "with_split": right[True] / args.numbers, "without": right[False] / args.numbers}
        rows.append(row)
        print(
            f"advance {advance}: {row['with_split']:.1%} of 3-digit numbers right with splitting, "
            f"{row['without']:.1%} without",
            flush=True,
        )
    write_result("touching", {"numbers": args.numbers, "rows": rows})


if __name__ == "__main__":
    main()
