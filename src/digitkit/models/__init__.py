"""Torch architectures and the registry that builds them by name (training and export only)."""

from digitkit.models.registry import create_model, list_models, register_model

__all__ = ["create_model", "list_models", "register_model"]

# Importing the module registers its architectures.
from digitkit.models import convnets  # noqa: E402,F401
