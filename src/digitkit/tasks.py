"""What a model answers: its task names the classes, the default training data and the figures it is judged by.

A recipe names its task, and the artifact records it with its class names, so nothing guesses from a model's
name or data string whether it reads digits or tells digits from non-digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from digitkit.errors import ConfigError


@dataclass(frozen=True)
class Task:
    name: str
    classes: tuple[str, ...]  #: class names, in output order
    data: str  #: default training data (a data source, see data/sources.py)


DIGITS = Task("digits", tuple("0123456789"), "mnist-train")
#: The drawing page's detector: class 0 is a digit, class 1 anything else.
DETECTOR = Task("detector", ("digit", "not-digit"), "nondigits")
#: The drawing page's second opinion before it cuts a group of ink between strokes (data/groups.py): class 0 is
#: several digits written touching, class 1 one drawing in several strokes (a letter, a sign), not to be cut.
GROUPS = Task("groups", ("several-digits", "one-drawing"), "groups")
TASKS = {task.name: task for task in (DIGITS, DETECTOR, GROUPS)}


def task_figures(task: str, data: str, labels: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """A task's headline figures on labelled ``data`` (its name), named so tables and plots can find them."""
    if task == DETECTOR.name:  # how many digits it keeps, how many non-digits it catches
        return {
            "digits_kept": float((predicted[labels == 0] == 0).mean()),
            "non_digits_caught": float((predicted[labels == 1] == 1).mean()),
        }
    if task == GROUPS.name:  # how many touching numbers it lets be cut, how many drawings it keeps whole
        return {
            "several_cut": float((predicted[labels == 0] == 0).mean()),
            "one_drawing_kept": float((predicted[labels == 1] == 1).mean()),
        }
    key = "mnist_accuracy" if data == "mnist-test" else "valid_accuracy"
    return {key: float((predicted == labels).mean())}


def get_task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        raise ConfigError(f"unknown task {name!r}; expected one of: {', '.join(TASKS)}") from None
