"""`digitkit ramp-kit DIR`: a RAMP kit for digit classification, in the layout rampwf reads.

    DIR/problem.py                       the image-classifier workflow, score types and a stratified CV
    DIR/data/train.csv, DIR/data/test.csv   id,class
    DIR/data/imgs/<id>                   one PNG per row (raw 28x28 uint8, as RAMP's kits ship them)
    DIR/submissions/starting_kit/        the example submission (a numpy MLP)

The kit is assembled in a temporary folder beside DIR and renamed into place, so a failed run leaves nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from importlib.resources import files
from pathlib import Path

import numpy as np
from PIL import Image

from digitkit.data.sources import Dataset
from digitkit.errors import ConfigError
from digitkit.files import current_umask
from digitkit.progress import steps

KIT_FILES = files("digitkit.ramp") / "kit_files"
STARTING_KIT = ("image_preprocessor.py", "batch_classifier.py")


def write_kit(folder: Path, train: Dataset, test: Dataset, *, folds: int = 5, progress: bool = False) -> Path:
    """Write a kit holding ``train`` and ``test`` (raw uint8 images, 10 classes) into the new folder ``folder``."""
    if folds < 2:
        raise ConfigError(f"expected --folds >= 2, got {folds} instead")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise ConfigError(f"{folder} already exists and is not empty; name a new folder for the kit")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        _write_problem(staging / "problem.py", folds)
        starting_kit = staging / "submissions" / "starting_kit"
        starting_kit.mkdir(parents=True)
        for name in STARTING_KIT:
            (starting_kit / name).write_text(_starting_kit_file(name))
        images_dir = staging / "data" / "imgs"
        images_dir.mkdir(parents=True)
        first_id = 0
        for csv_name, data in (("train.csv", train), ("test.csv", test)):
            ids = [f"{first_id + i}.png" for i in range(len(data.labels))]
            rows = "".join(f"{image_id},{int(label)}\n" for image_id, label in zip(ids, data.labels, strict=True))
            (staging / "data" / csv_name).write_text("id,class\n" + rows)
            chunks = [range(start, min(start + 5000, len(ids))) for start in range(0, len(ids), 5000)]
            for chunk in steps(chunks, f"writing {csv_name}'s images, 5,000 at a time", progress):
                for row in chunk:
                    image = np.ascontiguousarray(data.images[row])
                    Image.fromarray(image).save(images_dir / ids[row], compress_level=1)
            first_id += len(ids)
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes it 0700; a kit is an ordinary folder
        if folder.exists():
            folder.rmdir()
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def _write_problem(path: Path, folds: int) -> None:
    template = (KIT_FILES / "problem.py").read_text()
    path.write_text(re.sub(r"^_n_splits = \d+", f"_n_splits = {folds}", template, count=1, flags=re.M))


def _starting_kit_file(name: str) -> str:
    return (KIT_FILES / "submissions" / "starting_kit" / name).read_text()


def write_recipe_submission(folder: Path, recipe: str, epochs: int | None) -> Path:
    """A RAMP submission folder whose BatchClassifier trains ``recipe`` (a shipped name or a .toml path); its
    image preprocessor is the starting kit's (raw pixels scaled to [0, 1])."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "image_preprocessor.py").write_text(_starting_kit_file("image_preprocessor.py"))
    (folder / "batch_classifier.py").write_text(
        "from digitkit.train.batch_classifier import RecipeClassifier\n\n\n"
        "class BatchClassifier(RecipeClassifier):\n"
        "    def __init__(self):\n"
        f"        super().__init__({recipe!r}, epochs={epochs!r})\n"
    )
    return folder
