"""The JSON API under /api/v1: predict from base64 or data-URI images of any size; list the models."""

from __future__ import annotations

import asyncio

import numpy as np
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from digitkit.errors import LimitError
from digitkit.preprocess import SIDE, normalize_batch
from digitkit.serve.decode import check_pixel_budget, decode_base64, gray_pixels, open_any_image
from digitkit.serve.settings import Settings
from digitkit.serve.state import service

router = APIRouter(prefix="/api/v1", tags=["api"])


class PredictRequest(BaseModel):
    images: list[str] = Field(
        min_length=1, description="base64 images or data URIs (data:image/png;base64,...), any size, any polarity"
    )
    model: str | None = Field(default=None, description="a loaded model's name; default: the server's default")


class Prediction(BaseModel):
    label: int = Field(description="the most probable digit")
    confidence: float = Field(description="its probability")
    probabilities: list[float] = Field(description="one probability per digit 0-9")


class PredictResponse(BaseModel):
    model: str
    model_version: str = Field(description="recipe and artifact format the answer came from")
    predictions: list[Prediction]


class ModelInfo(BaseModel):
    name: str = Field(description="what a request's 'model' field names: a loaded model or a version id")
    default: bool
    loaded: bool = Field(description="in memory now; a version loads on its first request")
    recipe: str
    architecture: str
    metrics: dict[str, float]
    bytes: int
    parameters: int | None = None
    quantization: str | None = None
    preprocess_version: int | None = None
    parent: str | None = Field(default=None, description="a version's parent version")
    data: dict[str, object] | None = Field(default=None, description="a version's training data")
    created_at: str | None = None


def _normalized(raw: list[str], settings: Settings) -> np.ndarray:
    """Check every image's declared size against the request's pixel budget, then decode them, then normalize
    the images of each size together (one batched pass per size)."""
    names = [f"image {index}" for index in range(1, len(raw) + 1)]
    data = [decode_base64(text, settings.max_body_bytes, name) for text, name in zip(raw, names, strict=True)]
    opened = [open_any_image(d, settings.max_pixels, name) for d, name in zip(data, names, strict=True)]
    check_pixel_budget(opened, settings.max_request_pixels)
    grays = [gray_pixels(image, d, name) for image, d, name in zip(opened, data, names, strict=True)]
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for index, gray in enumerate(grays):
        by_shape.setdefault(gray.shape, []).append(index)
    out = np.empty((len(grays), SIDE, SIDE), dtype=np.float32)
    for indices in by_shape.values():
        out[indices] = normalize_batch(np.stack([grays[index] for index in indices]))
    return out


@router.post("/predict", response_model=PredictResponse)
async def predict(body: PredictRequest, request: Request) -> PredictResponse:
    """Classify one or more images; each is normalized MNIST-style first (crop, fit 20x20, centre)."""
    state = service(request)
    settings = state.settings
    if len(body.images) > settings.max_images:
        raise LimitError(f"{len(body.images)} images in one request; the limit is {settings.max_images}")
    batcher = await state.batcher_for(body.model)
    # Large images take milliseconds to normalize: keep that off the event loop.
    loop = asyncio.get_running_loop()
    images = await state.within_time(loop.run_in_executor(None, _normalized, body.images, settings))
    proba = await state.within_time(batcher.predict_proba(images, normalized=True))
    meta = batcher.model.meta
    return PredictResponse(
        model=meta.name,
        model_version=f"{meta.recipe}/format-{meta.format_version}/preprocess-{meta.preprocess_version}",
        predictions=[
            Prediction(label=int(p.argmax()), confidence=float(p.max()), probabilities=[round(float(v), 6) for v in p])
            for p in proba
        ],
    )


@router.get("/models", response_model=list[ModelInfo])
async def models(request: Request) -> list[ModelInfo]:
    """The loaded models with the figures their artifacts carry, then every registered version."""
    state = service(request)
    out = []
    for name, batcher in list(state.batchers.items()):
        meta = batcher.model.meta
        out.append(
            ModelInfo(
                name=name,
                default=name == state.default_model,
                loaded=True,
                recipe=meta.recipe,
                architecture=meta.architecture,
                parameters=meta.parameters,
                bytes=batcher.model.path.stat().st_size,
                quantization=meta.quantization,
                preprocess_version=meta.preprocess_version,
                metrics=meta.metrics,
            )
        )
    versions = await asyncio.get_running_loop().run_in_executor(None, state.versions.versions)
    for version in versions:
        if version.id in state.batchers:
            continue
        out.append(
            ModelInfo(
                name=version.id,
                default=version.id == state.default_model,
                loaded=False,
                recipe=str(version.recipe.get("name", "")),
                architecture=str(version.recipe.get("architecture", "")),
                metrics=version.metrics,
                bytes=version.bytes,
                parent=version.parent,
                data=version.data,
                created_at=version.created_at,
            )
        )
    return out
