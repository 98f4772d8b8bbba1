"""Every ``--data`` string, parsed in one place: ``mnist-train``, ``mnist-test``, ``uci-digits``, ``typeset``,
``kaggle:FILE``, ``folder:DIR``.

Training, evaluation and cross-validation all read labelled data through :func:`load_set`, so a source means
the same thing, and fails with the same message, in every command. The robustness suite is not a labelled set
but a family of them; ``evaluate`` handles it beside these.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from digitkit.errors import ConfigError
from digitkit.tasks import DETECTOR, GROUPS, Task

SOURCES = (
    "mnist-train, mnist-test, uci-digits (other writers' digits, 8x8: held out), typeset (print faces' digits, "
    "penned), kaggle:PATH/train.csv or folder:DIR (id,class CSV + images), or several joined by '+' "
    "(mnist+folder:DIR)"
)
#: Non-digits in the detector's training and validation sets (digits come from MNIST's two splits).
NON_DIGITS_TRAIN, NON_DIGITS_VALID = 57600, 6000
#: The detector's mixture with people's drawings as well (recipes/detector-quickdraw.toml; not shipped): a quarter
#: of its non-digits are Quick, Draw! drawings, the rest as many as in the shipped mixture.
WITH_PEOPLE = f"{DETECTOR.data}+quickdraw"
#: Groups of each kind (several digits, one drawing) in the groups model's training and validation sets.
GROUPS_TRAIN, GROUPS_VALID = 6000, 1000
#: Share of a Kaggle train.csv held out for validation unless --valid-split says otherwise.
KAGGLE_VALID_SPLIT = 0.1


@dataclass
class Dataset:
    """Raw uint8 images (N, H, W) with labels (N,), before any preprocessing."""

    images: np.ndarray
    labels: np.ndarray
    name: str


def _path_after(spec: str, prefix: str, example: str) -> Path:
    rest = spec[len(prefix) :]
    if not rest:
        raise ConfigError(f"--data {spec!r} names no file; write it as {prefix}{example}")
    return Path(rest)


def load_set(spec: str, cache: Path, progress: bool = False) -> Dataset:
    """One labelled set by its ``--data`` name (``mnist`` is short for ``mnist-train``); ``A+B`` joins sets."""
    from digitkit.data.mnist import ensure_mnist, load_mnist

    parts = _joined(spec)
    if len(parts) > 1:
        sets = [load_set(part, cache, progress) for part in parts]
        shapes = {d.images.shape[1:] for d in sets}
        if len(shapes) > 1:
            raise ConfigError(f"--data {spec!r} joins images of different sizes {sorted(shapes)}")
        return Dataset(
            np.concatenate([d.images for d in sets]), np.concatenate([d.labels for d in sets]), "+".join(parts)
        )

    if spec in ("mnist", "mnist-train", "mnist-test"):
        split = "test" if spec == "mnist-test" else "train"
        ensure_mnist(cache, progress)
        return Dataset(*load_mnist(split, cache), name=f"mnist-{split}")
    if spec == "uci-digits":
        return _uci_digits()
    if spec == "typeset":
        from digitkit.data.typeset import digits

        return Dataset(*digits(cache), name=spec)
    if spec.startswith("kaggle:"):
        from digitkit.data.kaggle import read_kaggle_train

        path = _path_after(spec, "kaggle:", "PATH/train.csv")
        return Dataset(*read_kaggle_train(path), name=f"kaggle:{path.name}")
    if spec.startswith("folder:"):
        from digitkit.data.folder import open_image_folder

        folder = open_image_folder(_path_after(spec, "folder:", "DIR"))
        # The folder loader answers normalized floats; uint8 keeps one raw-image type for every source.
        images = (folder.load(list(range(len(folder)))) * 255).round().astype(np.uint8)
        return Dataset(images, folder.labels.astype(np.uint8), name=f"folder:{folder.csv_path.parent.name}")
    raise ConfigError(f"unknown --data {spec!r}; expected {SOURCES}")


def _uci_digits() -> Dataset:
    """The UCI handwritten digits (optdigits' test set) that scikit-learn ships: 1,797 digits by writers MNIST
    never saw, each 8x8 counts (0-16) of ink pixels in 4x4 blocks of a 32x32 bitmap. No recipe trains on them,
    so they measure handwriting from outside digitkit and MNIST."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ConfigError("--data uci-digits reads scikit-learn's copy: pip install 'digitkit[train]'") from None
    digits = load_digits()
    images = np.round(digits.images * (255 / 16)).astype(np.uint8)
    return Dataset(images, digits.target.astype(np.uint8), name="uci-digits")


def _joined(spec: str) -> list[str]:
    """``A+B`` -> [A, B] when every part names a source; else [spec] (a path may contain '+')."""
    parts = spec.split("+")
    named = all(
        p in ("mnist", "mnist-train", "mnist-test", "typeset") or p.startswith(("kaggle:", "folder:")) for p in parts
    )
    return parts if len(parts) > 1 and named else [spec]


def provenance(spec: str) -> dict[str, object]:
    """What a version records about its training data: the source, each file's SHA-256, feedback ids."""
    import csv
    import hashlib

    record: dict[str, object] = {"source": spec}
    for part in _joined(spec):
        if part.startswith("kaggle:"):
            record["sha256"] = hashlib.sha256(Path(part[len("kaggle:") :]).read_bytes()).hexdigest()
        elif part.startswith("folder:"):
            index = Path(part[len("folder:") :]) / "train.csv"
            if index.is_file():
                record["sha256"] = hashlib.sha256(index.read_bytes()).hexdigest()
                with index.open(newline="") as handle:
                    ids = [row["id"] for row in csv.DictReader(handle)]
                # Exports of the feedback store name each digit d<row id>.
                if ids and all(i.startswith("d") and i[1:].isdigit() for i in ids):
                    record["feedback_ids"] = [int(i[1:]) for i in ids]
    return record


def split_stratified(data: Dataset, fraction: float, seed: int = 0) -> tuple[Dataset, Dataset]:
    """(kept, held out) rows of one labelled set: ``fraction`` of each class held out, chosen with ``seed``."""
    from sklearn.model_selection import train_test_split

    if not 0.0 < fraction < 1.0:
        raise ConfigError(f"expected a held-out fraction between 0 and 1, got {fraction} instead")
    try:
        kept, held = train_test_split(
            np.arange(len(data.labels)), test_size=fraction, stratify=data.labels, random_state=seed
        )
    except ValueError as exc:  # too few rows, or a class with a single row
        raise ConfigError(f"{data.name}: cannot hold out {fraction:.0%} of every class ({exc})") from None
    return (
        Dataset(data.images[kept], data.labels[kept], data.name),
        Dataset(data.images[held], data.labels[held], f"{data.name} (held-out rows)"),
    )


def training_sets(
    spec: str | None, task: Task, cache: Path, progress: bool = False, valid_split: float | None = None
) -> tuple[Dataset, Dataset]:
    """(train, validation) for ``task``.

    Digits validate on MNIST test, unless ``valid_split`` holds out that fraction of the training rows
    (stratified). Kaggle data holds out 10% by default: MNIST test overlaps Kaggle's test rows. A ``folder:``
    set (often a few corrected drawings to fine-tune on) validates on MNIST test, which shows forgetting.
    The detector has its own mixture.
    """
    if task == DETECTOR:
        if spec not in (None, DETECTOR.data, WITH_PEOPLE):
            raise ConfigError(
                f"the detector trains on its own data ({DETECTOR.data} or {WITH_PEOPLE}), not {spec!r}; drop --data"
            )
        return _detector_sets(cache, progress, people=spec == WITH_PEOPLE)
    if task == GROUPS:
        if spec not in (None, GROUPS.data):
            raise ConfigError(f"the groups model trains on its own data ({GROUPS.data}), not {spec!r}; drop --data")
        train = _group_set(GROUPS_TRAIN, 1, cache, "train", progress)
        return train, _group_set(GROUPS_VALID, 2, cache, "test", progress)
    spec = spec or task.data
    train = load_set(spec, cache, progress)
    if valid_split is None:
        valid_split = KAGGLE_VALID_SPLIT if spec.startswith("kaggle:") else 0.0
    if valid_split:
        return split_stratified(train, valid_split)
    return train, load_set("mnist-test", cache, progress)


def validation_set(task: Task, cache: Path, progress: bool = False) -> Dataset:
    """The set a shipped artifact of ``task`` is checked on: MNIST test for digits, the detector's own validation
    mixture for the detector (built alone, in seconds: its training half takes minutes), and the groups model's
    own validation groups."""
    if task == GROUPS:
        return _group_set(GROUPS_VALID, 2, cache, "test", progress)
    return _detector_valid_set(cache, progress) if task == DETECTOR else load_set("mnist-test", cache, progress)


def _group_set(count: int, seed: int, cache: Path, split: str, progress: bool) -> Dataset:
    """``count`` groups of each kind the page could cut (data/groups.py), each set its own seed and its own
    split's MNIST digits written touching."""
    from digitkit.data.groups import group_set
    from digitkit.data.mnist import ensure_mnist, load_mnist

    ensure_mnist(cache, progress=progress)
    images, labels = group_set(count, seed, progress, load_mnist(split, cache)[0])
    return Dataset(images, labels, "groups")


def _mixed(digits: np.ndarray, others: np.ndarray, name: str) -> Dataset:
    """Digits (label 0) and non-digits (label 1) interleaved, so that train_subset takes both."""
    labels = np.concatenate([np.zeros(len(digits), np.uint8), np.ones(len(others), np.uint8)])
    order = np.random.default_rng(0).permutation(len(labels))
    return Dataset(np.concatenate([digits, others])[order], labels[order], name)


def _as_on_the_page(digits: np.ndarray, rng: np.random.Generator, people: bool = False) -> np.ndarray:
    """A copy of MNIST digits, a third as the page hands digits over, a third redrawn with a round pen. Beside
    people's drawings (``people``) the pen is measured against the larger side, as theirs, and half of the rest
    are scanned coarsely: without such digits a detector that learns the drawings turns down UCI's 1s."""
    from digitkit.data.nondigits import as_drawn, low_resolution, penned

    out = digits.copy()
    out[::3] = as_drawn(out[::3], rng)
    out[1::3] = penned(out[1::3], rng, larger_side=people)
    if people:
        out[2::6] = low_resolution(out[2::6], rng)
    return out


def _people(cache: Path, part: str, people: bool) -> np.ndarray | None:
    """Quick, Draw!'s drawings of the trained subjects for the split ``part``, less those as thin as a 1; None
    for the shipped mixture."""
    from digitkit.data import quickdraw

    if not people:
        return None
    drawings, _ = quickdraw.images_of(cache, quickdraw.FAMILY, part)
    return drawings[~quickdraw.like_a_one(drawings)]


def _detector_valid_set(cache: Path, progress: bool, people: bool = False) -> Dataset:
    from digitkit.data.nondigits import non_digit_set

    count = NON_DIGITS_VALID * 4 // 3 if people else NON_DIGITS_VALID
    digits = _as_on_the_page(load_set("mnist-test", cache, progress).images[:count], np.random.default_rng(2), people)
    others = non_digit_set(count, 2, digits, _people(cache, "valid", people))
    return _mixed(digits, others, "mnist-test+nondigits")


def _detector_sets(cache: Path, progress: bool, people: bool = False) -> tuple[Dataset, Dataset]:
    """Label 0: MNIST digits, a third enlarged and fitted back as the page's crops are, a third redrawn with a
    round pen as the page draws; label 1: synthetic non-digits (data/nondigits.py) with overlapping pairs of the
    split's own digits, and with ``people`` Quick, Draw!'s drawings of the trained subjects (data/quickdraw.py;
    each split its own drawings of them). Each split has its own seed, so the validation half can be built alone."""
    from digitkit.data.nondigits import non_digit_set

    count = NON_DIGITS_TRAIN * 4 // 3 if people else NON_DIGITS_TRAIN
    digits = _as_on_the_page(load_set("mnist-train", cache, progress).images, np.random.default_rng(0), people)
    train = _mixed(digits, non_digit_set(count, 1, digits, _people(cache, "train", people)), "mnist-train+nondigits")
    return train, _detector_valid_set(cache, progress, people)
