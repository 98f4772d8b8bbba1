"""``python -m digitkit.serve.contract HOST PORT MODEL``: the competition service, as the archive starts it."""

from __future__ import annotations

import logging
import sys

from digitkit.errors import DigitkitError
from digitkit.runtime.model import Model
from digitkit.serve.contract.app import ContractApp
from digitkit.serve.contract.batching import LoopBatcher
from digitkit.serve.contract.server import make_server


def main(argv: list[str]) -> None:
    if len(argv) != 3 or not argv[1].isdigit():
        sys.exit("usage: python -m digitkit.serve.contract HOST PORT MODEL.onnx")
    host, port, path = argv
    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    try:
        model = Model(path)
    except DigitkitError as exc:
        sys.exit(f"error: {exc}")
    app = ContractApp(LoopBatcher(model).predict_proba, on_exit=lambda: None)
    server = make_server(app, host, int(port), lifespan="off", access_log=False, server_header=False)
    app.on_exit = lambda: setattr(server, "should_exit", True)  # uvicorn finishes what is in flight, then returns
    server.run()


if __name__ == "__main__":
    main(sys.argv[1:])
