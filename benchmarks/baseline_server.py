"""A minimal one-image-at-a-time server, the reference row of benchmarks/serve_load.py (``--app baseline``).

What the competition's Tornado+Keras baseline does, on digitkit's parts: the same multipart reader, decoder,
preprocessing and artifact, but each image is predicted alone, on the event loop, with no batching.

    python benchmarks/baseline_server.py HOST PORT MODEL
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from digitkit.runtime import load_model
from digitkit.serve.decode import decode_contract_image
from digitkit.serve.uploads import read_parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("model", help="shipped model name or artifact path")
    args = parser.parse_args()
    model = load_model(args.model)

    async def status(request: Request) -> JSONResponse:
        return JSONResponse({"status": "Ok"})

    async def predict(request: Request) -> JSONResponse:
        parts = await read_parts(request, 512, "")
        images = [decode_contract_image(part.data) for part in parts if part.name == "x"]
        return JSONResponse({"y": [int(model.predict(image[None])[0]) for image in images]})

    async def exit_service(request: Request) -> JSONResponse:
        server.should_exit = True
        return JSONResponse({"exit": "Ok"})

    routes = [
        Route("/status", status),
        Route("/predict", predict, methods=["POST"]),
        Route("/exit", exit_service),
    ]
    server = uvicorn.Server(
        uvicorn.Config(Starlette(routes=routes), host=args.host, port=args.port, access_log=False, log_level="warning")
    )
    server.run()


if __name__ == "__main__":
    main()
