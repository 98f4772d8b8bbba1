"""Progress on long work: a bar for a person at a terminal, one line per step when output goes to a log."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def on_terminal() -> bool:
    return sys.stderr.isatty()


def steps(items: Sequence[T], desc: str, enabled: bool = True) -> Iterator[T]:
    """Yield ``items``; report each step on stderr (a bar on a terminal, a line otherwise) when ``enabled``."""
    if not enabled:
        yield from items
    elif on_terminal():
        yield from tqdm(items, desc=desc, leave=False)
    else:
        for done, item in enumerate(items, 1):
            yield item
            report_line(f"{desc}: {done}/{len(items)} done")


def report_line(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def byte_bar(total: int | None, desc: str, enabled: bool = True) -> Any:
    """A download bar on a terminal; silent elsewhere (the caller logs a line per finished file)."""
    return tqdm(total=total, unit="B", unit_scale=True, desc=desc, disable=not (enabled and on_terminal()))


def batch_bar(count: int, desc: str, enabled: bool = True) -> Any:
    """A bar over the batches of an epoch on a terminal; silent elsewhere (epochs are reported as lines)."""
    return tqdm(range(count), desc=desc, disable=not (enabled and on_terminal()), leave=False)
