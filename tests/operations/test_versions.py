"""The model registry and the promote gate, on SQLite and on a real PostgreSQL server."""

import json

import pytest

from digitkit.errors import ConflictError, UnknownNameError
from digitkit.runtime import read_meta
from digitkit.store.database import Database
from digitkit.store.promotions import Promotions
from digitkit.versions import Registry, gate, promote


@pytest.fixture
def pointer(database_url):
    database = Database(database_url)
    yield Promotions(database)
    database.close()


def add(registry, artifact, parent=None):
    return registry.add(
        artifact,
        checkpoint=None,
        recipe={"name": "smoke", "architecture": "convnet_tiny"},
        data={"source": "mnist"},
        parent=parent,
    )


def test_a_version_keeps_its_artifact_provenance_and_figures(tmp_path, smoke_artifact):
    registry = Registry(tmp_path / "models")
    first = add(registry, smoke_artifact)
    second = add(registry, smoke_artifact, parent=first.id)
    assert first.artifact.read_bytes() == smoke_artifact.read_bytes()
    assert first.metrics == read_meta(str(smoke_artifact)).metrics and "mnist_accuracy" in first.metrics
    record = json.loads((first.folder / "version.json").read_text())
    assert record["data"] == {"source": "mnist"} and record["created_at"].endswith("Z")
    assert registry.get(second.id).parent == first.id
    assert {v.id for v in registry.versions()} == {first.id, second.id}
    assert not [p for p in registry.root.iterdir() if p.name.startswith(".")]  # no half-built folders left


@pytest.mark.parametrize("name", ["nope", "../models", "a/b", ""])
def test_unknown_or_unsafe_version_names_are_not_found(tmp_path, name):
    with pytest.raises(UnknownNameError, match="digitkit models"):
        Registry(tmp_path).get(name)


def test_gate_refuses_a_loss_over_a_tenth_of_a_point():
    current = {"mnist_accuracy": 0.9950, "suite_accuracy": 0.9900}
    assert gate({"mnist_accuracy": 0.9941, "suite_accuracy": 0.9950}, current) == []
    reasons = gate({"mnist_accuracy": 0.9939, "suite_accuracy": 0.9950}, current)
    assert len(reasons) == 1 and "mnist accuracy 99.39%" in reasons[0] and "0.1 points" in reasons[0]
    assert "no suite accuracy" in gate({"mnist_accuracy": 0.9960}, current)[0]


def test_promote_follows_the_gate_and_reset_returns_to_the_configured_model(tmp_path, smoke_artifact, pointer):
    registry = Registry(tmp_path / "models")
    version = add(registry, smoke_artifact)
    shipped = {"mnist_accuracy": 0.998, "suite_accuracy": 0.99}
    with pytest.raises(ConflictError, match="not promoted.*force"):
        promote(registry, pointer, version.id, shipped)
    assert pointer.current() is None
    promote(registry, pointer, version.id, shipped, force=True)
    assert pointer.current() == version.id and pointer.history()[0].forced
    # Judged against the promoted version now: a copy of it passes without force.
    same = add(registry, smoke_artifact, parent=version.id)
    promote(registry, pointer, same.id, shipped)
    assert pointer.current() == same.id and not pointer.history()[0].forced
    with pytest.raises(UnknownNameError):
        promote(registry, pointer, "missing-version", shipped)
    pointer.promote(None)
    assert pointer.current() is None
