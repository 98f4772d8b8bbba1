"""digitkit kaggle predict MODEL test.csv -o submission.csv: a Kaggle Digit Recognizer submission."""

from __future__ import annotations

import argparse
from pathlib import Path

from digitkit.commands.common import new_parser


def register(sub: argparse._SubParsersAction) -> None:
    parser = new_parser(sub, "kaggle", "Kaggle Digit Recognizer: predict test.csv into submission.csv")
    parser.add_argument("action", choices=["predict"], help="predict: write ImageId,Label for every test row")
    parser.add_argument("model", help="shipped model name or artifact path")
    parser.add_argument("test_csv", type=Path, help="Kaggle test.csv (pixel0..pixel783)")
    parser.add_argument("-o", "--output", type=Path, default=Path("submission.csv"), help="submission file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from digitkit.data.kaggle import read_kaggle_test, write_submission
    from digitkit.evaluate.report import predict_in_batches
    from digitkit.runtime import load_model

    images = read_kaggle_test(args.test_csv)
    proba, rate = predict_in_batches(load_model(args.model), images)
    write_submission(args.output, proba.argmax(axis=1))
    print(f"wrote {args.output}: {len(images):,} rows (ImageId from 1), {rate:,.0f} images/s")
    return 0
