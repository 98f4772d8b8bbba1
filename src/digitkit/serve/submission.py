"""Entry point of a competition submission: ``python -m digitkit.serve.submission HOST PORT MODEL``."""

from __future__ import annotations

import argparse
import logging

from digitkit.runtime import load_model
from digitkit.serve.contract_app import create_contract_app
from digitkit.serve.runner import serve_app
from digitkit.serve.settings import settings_from_env


def main() -> None:
    parser = argparse.ArgumentParser(description="digitkit competition service")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("model", help="artifact path")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    settings = settings_from_env(host=args.host, port=args.port, models=(args.model,))
    serve_app(create_contract_app(settings, load_model(args.model, threads=settings.threads)), settings)


if __name__ == "__main__":
    main()
