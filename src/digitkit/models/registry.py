"""Name -> constructor registry, so recipes and checkpoints name an architecture instead of pickling it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch import nn

from digitkit.errors import UnknownNameError

_REGISTRY: dict[str, Callable[..., nn.Module]] = {}


def register_model(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """Decorator: make ``fn`` buildable as ``create_model(fn.__name__, **kwargs)``."""
    if fn.__name__ in _REGISTRY:
        raise ValueError(f"architecture {fn.__name__!r} is registered twice")
    _REGISTRY[fn.__name__] = fn
    return fn


def list_models() -> list[str]:
    return sorted(_REGISTRY)


def create_model(name: str, **kwargs: Any) -> nn.Module:
    try:
        constructor = _REGISTRY[name]
    except KeyError:
        raise UnknownNameError(f"unknown architecture {name!r}; expected one of: {', '.join(list_models())}") from None
    return constructor(**kwargs)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
