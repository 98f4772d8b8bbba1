"""The competition archive on every CPython this machine has, and its bytes.

For each model: the archive's size, the compressed bytes of its code (service.py) and model, then
`digitkit check`'s matrix: each interpreter gets a fresh venv, python.txt installed by its own pip as the
organizers would, run.sh started, every probe and an accuracy probe run. Network: the package index only.

    python benchmarks/archive_matrix.py [--model default --model tiny] [--python all] [--sample 500]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import write_result  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", action="append", help="shipped name or artifact [default: default and tiny]")
    parser.add_argument("--python", action="append", help="interpreters (see digitkit check --help) [default: all]")
    parser.add_argument("--sample", type=int, default=500, help="MNIST test images for the accuracy probe")
    args = parser.parse_args()

    from digitkit.data.mnist import cache_dir, ensure_mnist, load_mnist
    from digitkit.package.build import MODEL_FILE, SERVICE_FILE, build_archive
    from digitkit.package.check import check_archive, format_matrix
    from digitkit.package.interpreters import interpreters

    cache = cache_dir()
    ensure_mnist(cache, progress=False)
    images, labels = load_mnist("test", cache)
    pythons = interpreters(args.python or ["all"])
    results = {}
    with tempfile.TemporaryDirectory(prefix="digitkit-matrix-") as tmp:
        for model in args.model or ["default", "tiny"]:
            report = build_archive(model, Path(tmp) / f"{model}.zip")
            with zipfile.ZipFile(report.path) as archive:
                compressed = {info.filename: info.compress_size for info in archive.infolist()}
            print(
                f"\n{model}: archive {report.bytes:,} bytes; code ({SERVICE_FILE}) {compressed[SERVICE_FILE]:,} "
                f"bytes compressed; model {compressed[MODEL_FILE]:,} bytes compressed",
                flush=True,
            )
            reports = []
            for python in pythons:
                print(f"  {python} ...", flush=True)
                reports.append(
                    check_archive(report.path, python=python, images=images, labels=labels, sample=args.sample)
                )
            print(format_matrix(reports), flush=True)
            results[model] = {
                "archive_bytes": report.bytes,
                "compressed_bytes": compressed,
                "matrix": [{**dataclasses.asdict(r), "log": r.log[-500:]} for r in reports],
            }
    write_result("archive_matrix", results)


if __name__ == "__main__":
    main()
