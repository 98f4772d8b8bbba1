"""The competition contract (CONTRACT.md section 1): GET /status, POST /predict, GET /exit."""

from __future__ import annotations

import numpy as np
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from digitkit.errors import ImageError, LimitError
from digitkit.serve.decode import decode_contract_image
from digitkit.serve.state import service

FIELD = "x"


async def status(request: Request) -> JSONResponse:
    return JSONResponse({"status": "Ok"})


async def _read_images(request: Request) -> np.ndarray:
    state = service(request)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise ImageError(
            f"expected a multipart/form-data body with images in field '{FIELD}', got "
            f"{content_type or 'no content type'} instead (curl -F 'x=@digit.png' ...)"
        )
    limit = state.settings.max_images
    async with request.form(max_files=limit, max_fields=limit) as form:
        items = form.getlist(FIELD)
        if not items:
            raise ImageError(f"no images in field '{FIELD}'; send them as -F '{FIELD}=@digit.png'")
        if len(items) > limit:
            raise LimitError(f"{len(items)} images in one request; the limit is {limit}")
        images = []
        for index, item in enumerate(items, start=1):
            what = f"image {index}"
            if not isinstance(item, UploadFile):
                raise ImageError(f"{what} in field '{FIELD}' is a text value, not a file upload")
            if item.filename:
                what += f" ({item.filename})"
            images.append(decode_contract_image(await item.read(), what))
    return np.stack(images)


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
