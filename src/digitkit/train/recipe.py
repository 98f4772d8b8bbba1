"""Training recipes: small TOML files shipped in ``digitkit/recipes/``, read into one typed dataclass."""

from __future__ import annotations

import dataclasses
import sys
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitkit.errors import ConfigError, UnknownNameError
from digitkit.tasks import get_task

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RECIPES_DIR = Path(__file__).resolve().parent.parent / "recipes"  #: package data: wheels carry them


@dataclass(frozen=True)
class AugmentConfig:
    """Training-time augmentation: each op hits a random share ``p_*`` of every batch."""

    rotate: float = 20.0  #: max rotation in degrees
    scale: tuple[float, float] = (0.75, 1.2)  #: isotropic scale range
    shift: float = 3.0  #: max shift in pixels
    shear: float = 0.3  #: max shear (tan of the angle)
    p_affine: float = 0.8
    p_elastic: float = 0.3
    p_thickness: float = 0.3
    p_blur: float = 0.15
    p_noise: float = 0.15
    p_contrast: float = 0.15
    p_jpeg: float = 0.1
    p_occlude: float = 0.1
    # The broader families (issue 14); off unless a recipe sets them, so older recipes reproduce as they were.
    p_clutter: float = 0.0  #: curved, dashed or wavy strokes across the image
    p_outline: float = 0.0  #: outline, edge-gradient or thinned renderings of the stroke
    p_directional_blur: float = 0.0
    p_scramble: float = 0.0  #: per-pixel random moves (frosted glass)
    p_background: float = 0.0  #: a smooth uneven glow
    p_blobs: float = 0.0  #: grey splashes over or behind the digit
    p_partial_invert: float = 0.0  #: an edge band or a rectangle inverted
    p_salt_and_pepper: float = 0.0
    p_erase: float = 0.0  #: a rectangle blanked to the background (cutout, as RandomErasing layers do)
    p_hooked_one: float = 0.0  #: share of the 1s given a flag at the top (digit models; data/augment.hook)
    hook_slope: tuple[float, float] = (25.0, 60.0)  #: the flag's angle below the horizontal, degrees
    clean_share: float = 0.2  #: share of each batch left untouched, so clean accuracy stays on top


@dataclass(frozen=True)
class Recipe:
    name: str  #: recipe name, recorded in the artifact
    architecture: str  #: a name from the model registry (`digitkit models --architectures`)
    arch_kwargs: dict[str, Any] = field(default_factory=dict)  #: passed to the architecture constructor
    task: str = "digits"  #: what the model answers (digitkit/tasks.py): "digits", "detector" or "groups"
    data: str = ""  #: training data when --data is not given ("": the task's default, MNIST for digits)
    seed: int = 0  #: seeds torch, the augmentation generator and the shuffling
    epochs: int = 10
    batch_size: int = 128
    optimizer: str = "adamw"  #: "adamw" or "sgd" (Nesterov momentum 0.9)
    lr: float = 3e-3  #: peak learning rate
    weight_decay: float = 1e-4
    schedule: str = "onecycle"  #: "onecycle", "cosine" or "constant"
    label_smoothing: float = 0.0
    train_subset: int = 0  #: train on the first N training images (0: all 60,000)
    augment: AugmentConfig | None = field(default_factory=AugmentConfig)  #: None: no augmentation
    teacher: str = ""  #: artifact name or path to distil from ("" : no distillation)
    distill_weight: float = 0.5  #: share of the loss taken from the teacher's soft targets
    distill_temperature: float = 3.0
    quantize: bool = True  #: export int8 weights (4-bit codes for an architecture trained on that grid)
    quantize_activations: bool = False  #: also int8 activations, calibrated on 512 training images (faster)
    prune_amount: float = 0.0  #: share of conv/linear weights zeroed by magnitude after training (0: none)
    prune_epochs: int = 0  #: fine-tuning epochs after pruning, at lr * 0.05
    stop_at_accuracy: float = 0.0  #: end training once validation accuracy reaches this (0: never)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_OPTIMIZERS = ("adamw", "sgd")
_SCHEDULES = ("onecycle", "cosine", "constant")


def available_recipes() -> list[str]:
    return sorted(p.stem for p in RECIPES_DIR.glob("*.toml"))


def _check_types(cls: type, values: dict[str, Any], where: str) -> None:
    """TOML gives str, int, float, bool, list and dict: refuse a value of the wrong kind before it reaches
    training, where it would fail many minutes later with a traceback."""
    hints = typing.get_type_hints(cls)
    for key, value in values.items():
        expected = hints[key]
        origin = typing.get_origin(expected)
        if expected is float:
            ok, kind = isinstance(value, int | float) and not isinstance(value, bool), "a number"
        elif expected is int:
            ok, kind = isinstance(value, int) and not isinstance(value, bool), "a whole number"
        elif expected is str or expected is bool:
            ok, kind = isinstance(value, expected), "a string" if expected is str else "true or false"
        elif origin is dict:
            ok, kind = isinstance(value, dict), "a table"
        elif origin is tuple:
            ok = isinstance(value, list | tuple) and all(isinstance(v, int | float) for v in value)
            kind = "a list of numbers"
        else:  # the augment table, checked on its own
            continue
        if not ok:
            raise ConfigError(f"{where}: {key} must be {kind}, got {value!r} instead")


def recipe_from_dict(values: dict[str, Any], source: str) -> Recipe:
    known = {f.name for f in dataclasses.fields(Recipe)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(unknown)}; expected some of {', '.join(sorted(known))}")
    _check_types(Recipe, values, source)
    values = dict(values)
    if "augment" in values:
        aug = values["augment"]
        if aug is False:
            values["augment"] = None
        elif isinstance(aug, dict):
            aug_known = {f.name for f in dataclasses.fields(AugmentConfig)}
            bad = sorted(set(aug) - aug_known)
            if bad:
                raise ConfigError(f"{source}: unknown augment key(s) {', '.join(bad)}")
            _check_types(AugmentConfig, aug, f"{source} [augment]")
            aug = {k: tuple(v) if isinstance(v, list) else v for k, v in aug.items()}
            values["augment"] = AugmentConfig(**aug)
        else:
            raise ConfigError(f"{source}: expected [augment] table or augment = false, got {aug!r} instead")
    try:
        recipe = Recipe(**values)
    except TypeError as exc:
        raise ConfigError(f"{source}: {exc}") from exc
    get_task(recipe.task)  # refuses unknown tasks
    if recipe.optimizer not in _OPTIMIZERS:
        raise ConfigError(f"{source}: optimizer must be one of {_OPTIMIZERS}, got {recipe.optimizer!r} instead")
    if recipe.schedule not in _SCHEDULES:
        raise ConfigError(f"{source}: schedule must be one of {_SCHEDULES}, got {recipe.schedule!r} instead")
    if not 0.0 <= recipe.prune_amount < 1.0 or recipe.prune_epochs < 0:
        raise ConfigError(f"{source}: prune_amount must be in [0, 1) and prune_epochs >= 0")
    if recipe.epochs < 1 or recipe.batch_size < 1:
        raise ConfigError(f"{source}: epochs and batch_size must be >= 1")
    return recipe


def load_recipe(name_or_path: str) -> Recipe:
    """A recipe by name (``default`` -> recipes/default.toml) or by path to a TOML file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = RECIPES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        raise UnknownNameError(
            f"unknown recipe {name_or_path!r}; expected a TOML path or one of: {', '.join(available_recipes())}"
        )
    try:
        values = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    values.setdefault("name", path.stem)
    return recipe_from_dict(values, str(path))
