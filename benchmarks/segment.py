"""Drawing-page benchmark on synthetic data generated deterministically (seed 0):

1. multi-digit: canvases of 2-6 MNIST test digits (not touching; random sizes, positions, stroke widths and
   polarity) -> share whose whole number is read right;
2. non-digits: scribbles, shapes, lines, letters -> share rejected as "not a digit", against the share of
   single MNIST test digits wrongly rejected;
3. latency of POST /api/v1/draw (what the page waits for after the pen lifts), server on this machine.

    python benchmarks/segment.py [--canvases 1000] [--shapes 1000] [--digits 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def styled(digit: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scale a 28x28 digit by 1.5-4 and thicken or thin its strokes."""
    scale = rng.uniform(1.5, 4.0)
    size = int(28 * scale)
    big = np.asarray(Image.fromarray(digit).resize((size, size), Image.Resampling.BILINEAR))
    width = int(rng.integers(-1, 4))
    if width > 0:
        big = ndimage.grey_dilation(big, size=(width + 1, width + 1))
    elif width < 0:
        big = ndimage.grey_erosion(big, size=(2, 2))
    return big


def multi_digit_canvas(images, labels, rng) -> tuple[np.ndarray, str]:
    count = int(rng.integers(2, 7))
    picks = rng.integers(0, len(images), count)
    pieces = [styled(images[i], rng) for i in picks]
    height = max(p.shape[0] for p in pieces) + 40
    gaps = [int(rng.uniform(0.25, 0.7) * p.shape[1]) for p in pieces]
    width = sum(p.shape[1] for p in pieces) + sum(gaps) + 40
    canvas = np.zeros((height, width), np.uint8)
    x = 20
    for piece, gap in zip(pieces, gaps, strict=True):
        y = int(rng.integers(0, height - piece.shape[0] + 1))
        canvas[y : y + piece.shape[0], x : x + piece.shape[1]] = np.maximum(
            canvas[y : y + piece.shape[0], x : x + piece.shape[1]], piece
        )
        x += piece.shape[1] + gap
    if rng.random() < 0.5:
        canvas = 255 - canvas
    return canvas, "".join(str(labels[i]) for i in picks)


def non_digit(rng: np.random.Generator) -> tuple[np.ndarray, str]:
    """A 140x140 canvas with one thing that is not a digit."""
    image = Image.new("L", (140, 140), 0)
    draw = ImageDraw.Draw(image)
    kind = str(
        rng.choice(
            [
                "scribble",
                "rectangle",
                "triangle",
                "star",
                "zigzag",
                "hline",
                "cross",
                "hatch",
                "blob",
                "spiral",
                "letter",
            ]
        )
    )
    width = int(rng.integers(4, 10))
    c = 70 + rng.integers(-10, 10, 2)
    r = int(rng.integers(35, 60))
    if kind == "scribble":
        points = np.cumsum(rng.normal(0, 18, (int(rng.integers(15, 40)), 2)), axis=0) + c
        draw.line([tuple(p) for p in np.clip(points, 10, 130)], fill=255, width=width, joint="curve")
    elif kind == "rectangle":
        draw.rectangle(
            [c[0] - r, c[1] - r * rng.uniform(0.5, 1), c[0] + r, c[1] + r * rng.uniform(0.5, 1)],
            outline=255,
            width=width,
        )
    elif kind == "triangle":
        draw.polygon([(c[0], c[1] - r), (c[0] - r, c[1] + r), (c[0] + r, c[1] + r)], outline=255, width=width)
    elif kind == "star":
        angles = np.linspace(0, 4 * np.pi, 6) + rng.uniform(0, 1)
        draw.line([(c[0] + r * np.sin(a), c[1] - r * np.cos(a)) for a in angles], fill=255, width=width)
    elif kind == "zigzag":
        xs = np.linspace(c[0] - r, c[0] + r, int(rng.integers(4, 8)))
        draw.line([(x, c[1] + (r / 2 if i % 2 else -r / 2)) for i, x in enumerate(xs)], fill=255, width=width)
    elif kind == "hline":
        draw.line([(c[0] - r, c[1]), (c[0] + r, c[1] + rng.integers(-8, 8))], fill=255, width=width)
    elif kind == "cross":
        draw.line([(c[0] - r, c[1] - r), (c[0] + r, c[1] + r)], fill=255, width=width)
        draw.line([(c[0] - r, c[1] + r), (c[0] + r, c[1] - r)], fill=255, width=width)
    elif kind == "hatch":
        for offset in np.linspace(-r, r, 4):
            draw.line([(c[0] + offset, c[1] - r), (c[0] + offset, c[1] + r)], fill=255, width=width)
            draw.line([(c[0] - r, c[1] + offset), (c[0] + r, c[1] + offset)], fill=255, width=width)
    elif kind == "blob":
        draw.ellipse([c[0] - r, c[1] - r * 0.7, c[0] + r, c[1] + r * 0.7], fill=255)
    elif kind == "spiral":
        t = np.linspace(0, 5 * np.pi, 80)
        draw.line(
            [(c[0] + r * s / (5 * np.pi) * np.cos(s), c[1] + r * s / (5 * np.pi) * np.sin(s)) for s in t],
            fill=255,
            width=width,
        )
    else:
        font = ImageFont.load_default(size=int(rng.integers(70, 110)))
        draw.text((25, 10), str(rng.choice(list("AHKMWXNRGEFPQ#&"))), fill=255, font=font)
    canvas = np.asarray(image)
    return (255 - canvas if rng.random() < 0.5 else canvas), kind


def png_uri(canvas: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(canvas).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


async def read_number(batcher, canvas: np.ndarray, detector=None) -> tuple[str, list]:
    from digitkit.serve.web.recognise import recognise

    found = await recognise(canvas, batcher, detector)
    return "".join("?" if f.label is None else str(f.label) for f in found), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--canvases", type=int, default=1000)
    parser.add_argument("--shapes", type=int, default=1000)
    parser.add_argument("--digits", type=int, default=2000, help="single MNIST digits checked for false rejection")
    parser.add_argument("--model", default="default")
    parser.add_argument("--no-detector", action="store_true", help="rules only, without the shipped detector")
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.runtime import load_model
    from digitkit.serve.batcher import Batcher

    cache = cache_dir()
    ensure_mnist(cache, progress=False)
    images, labels = load_mnist("test", cache)
    rng = np.random.default_rng(0)

    from digitkit.runtime import shipped_models

    detector = load_model("detector") if "detector" in shipped_models() and not args.no_detector else None

    async def run() -> dict[str, object]:
        batcher = Batcher(load_model(args.model))
        batcher.start()
        right, failures = 0, []
        for _ in range(args.canvases):
            canvas, truth = multi_digit_canvas(images, labels, rng)
            number, _ = await read_number(batcher, canvas, detector)
            right += number == truth
            if number != truth and len(failures) < 10:
                failures.append((truth, number))
        rejected, by_kind = 0, {}
        for _ in range(args.shapes):
            canvas, kind = non_digit(rng)
            number, _ = await read_number(batcher, canvas, detector)
            ok = number == "" or set(number) == {"?"}
            rejected += ok
            hits, total = by_kind.get(kind, (0, 0))
            by_kind[kind] = (hits + ok, total + 1)
        false_rejects = 0
        for i in range(args.digits):
            canvas = np.zeros((140, 140), np.uint8)
            canvas[14:126, 14:126] = np.kron(images[i], np.ones((4, 4), np.uint8))
            number, _ = await read_number(batcher, 255 - canvas if i % 2 else canvas, detector)
            false_rejects += number in ("", "?")
        await batcher.stop()
        return {
            "multi_digit_accuracy": right / args.canvases,
            "failures": failures,
            "non_digit_rejected": rejected / args.shapes,
            "non_digit_by_kind": {k: h / t for k, (h, t) in by_kind.items()},
            "mnist_digits_rejected": false_rejects / args.digits,
        }

    result = asyncio.run(run())
    print(f"multi-digit canvases read right: {result['multi_digit_accuracy']:.2%} of {args.canvases}")
    print(
        f"non-digits rejected: {result['non_digit_rejected']:.2%} of {args.shapes}  "
        + "  ".join(f"{k} {v:.0%}" for k, v in sorted(result["non_digit_by_kind"].items()))
    )  # type: ignore[attr-defined]
    print(f"MNIST test digits wrongly rejected: {result['mnist_digits_rejected']:.2%} of {args.digits}")
    result["draw_latency_ms"] = draw_latency(args.model, rng, images, labels)
    print(
        f"POST /api/v1/draw latency (2-digit 560x280 canvas): p50 {result['draw_latency_ms']['p50']:.1f} ms, "
        f"p99 {result['draw_latency_ms']['p99']:.1f} ms"
    )
    write_result("segment", result)


def draw_latency(model: str, rng, images, labels, requests: int = 200) -> dict[str, float]:
    import urllib.request

    from _common import running_server

    with running_server("--model", model) as port:
        canvas = np.full((280, 560), 255, np.uint8)
        canvas[40:152, 60:172] = 255 - np.kron(images[0], np.ones((4, 4), np.uint8))
        canvas[60:172, 300:412] = 255 - np.kron(images[1], np.ones((4, 4), np.uint8))
        body = json.dumps({"image": png_uri(canvas)}).encode()
        times = []
        for _ in range(requests):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/draw", data=body, headers={"content-type": "application/json"}
            )
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            times.append((time.perf_counter() - started) * 1000)
    return {"p50": float(np.percentile(times, 50)), "p99": float(np.percentile(times, 99))}


if __name__ == "__main__":
    main()
