"""The competition contract (CONTRACT.md section 1): GET /status, POST /predict, GET /exit."""

from __future__ import annotations

import numpy as np
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from digitkit.errors import ImageError
from digitkit.preprocess import SIDE
from digitkit.serve.decode import decode_contract_image
from digitkit.serve.state import service
from digitkit.serve.uploads import read_parts

FIELD = "x"


async def status(request: Request) -> JSONResponse:
    return JSONResponse({"status": "Ok"})


async def _read_images(request: Request) -> np.ndarray:
    parts = await read_parts(request, service(request).settings.max_images, f"curl -F '{FIELD}=@digit.png' ...")
    uploads = [part for part in parts if part.name == FIELD]
    if not uploads:
        raise ImageError(f"no images in field '{FIELD}'; send them as -F '{FIELD}=@digit.png'")
    images = np.empty((len(uploads), SIDE, SIDE), dtype=np.uint8)
    for index, upload in enumerate(uploads):
        what = f"image {index + 1}"
        if upload.filename is None:
            raise ImageError(f"{what} in field '{FIELD}' is a text value, not a file upload")
        if upload.filename:
            what += f" ({upload.filename})"
        images[index] = decode_contract_image(upload.data, what)
    return images


async def predict(request: Request) -> JSONResponse:
    state = service(request)
    images = await _read_images(request)
    proba = await state.within_time(state.batcher().predict_proba(images))
    return JSONResponse({"y": [int(d) for d in proba.argmax(axis=1)]})


async def exit_service(request: Request) -> JSONResponse:
    """Answer first; the process ends right after the response is sent."""
    return JSONResponse({"exit": "Ok"}, background=BackgroundTask(service(request).request_exit))


routes = [
    Route("/status", status, methods=["GET"]),
    Route("/predict", predict, methods=["POST"]),
    Route("/exit", exit_service, methods=["GET"]),
]
