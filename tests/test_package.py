"""The submission archive: contents, size, and the organizers' functional check end to end."""

import subprocess
import sys
import zipfile

import pytest

from digitkit.errors import ConfigError
from digitkit.package import build
from digitkit.package.build import build_archive
from digitkit.package.check import check_archive


def test_archive_holds_run_sh_requirements_code_and_model_but_no_torch(tmp_path, smoke_artifact):
    report = build_archive(smoke_artifact, tmp_path / "s.zip")
    with zipfile.ZipFile(report.path) as archive:
        names = set(archive.namelist())
        code = archive.read("service.py").decode()
        requirements = archive.read("python.txt").decode().split()
    assert names == {"run.sh", "python.txt", "model.onnx", "service.py"}
    assert "'digitkit.serve.submission':" in code and "'digitkit.serve.contract':" in code
    assert "import torch" not in code and "from torch" not in code
    assert all("==" in line for line in requirements) and not any(r.startswith("torch") for r in requirements)
    assert report.bytes == (tmp_path / "s.zip").stat().st_size


def test_archive_is_reproducible(tmp_path, smoke_artifact):
    first = build_archive(smoke_artifact, tmp_path / "a.zip").path.read_bytes()
    second = build_archive(smoke_artifact, tmp_path / "b.zip").path.read_bytes()
    assert first == second


def test_archive_over_the_limit_is_refused_and_nothing_written(tmp_path, smoke_artifact, monkeypatch):
    monkeypatch.setattr(build, "ARCHIVE_LIMIT", 1000)
    with pytest.raises(ConfigError, match="over the competition's limit"):
        build_archive(smoke_artifact, tmp_path / "s.zip")
    assert not list(tmp_path.iterdir())


def test_check_passes_a_good_archive_end_to_end(tmp_path, smoke_artifact, mnist_test):
    archive = build_archive(smoke_artifact, tmp_path / "s.zip").path
    images, labels = mnist_test
    report = check_archive(archive, install=False, images=images, labels=labels, sample=100)
    failed = [r for r in report.results if not r.passed]
    assert not failed, (failed, report.log)
    assert {r.name for r in report.results} >= {
        "invalid HTTP",
        "RGB image",
        "16-bit image",
        "GET /exit ends with code 0",
    }
    assert 0 < report.startup_seconds < 60 and report.peak_rss_mb > 10


def test_check_fails_an_archive_whose_service_breaks_the_contract(tmp_path, smoke_artifact, mnist_test):
    good = build_archive(smoke_artifact, tmp_path / "good.zip").path
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "service.py":  # the contract module's source, as a string literal in the bundle
                data = data.replace(b"{\\'status\\': \\'Ok\\'}", b"{\\'status\\': \\'fine\\'}")
            dst.writestr(item, data)
    images, labels = mnist_test
    report = check_archive(broken, install=False, images=images, labels=labels, sample=50)
    assert not report.passed
    assert [r.name for r in report.results if not r.passed] == ["GET /status"]


def test_check_command_exits_1_on_fail_and_0_on_pass(tmp_path, smoke_artifact, mnist_cache, cli):
    archive = build_archive(smoke_artifact, tmp_path / "s.zip").path
    done = cli("check", str(archive), "--no-install", "--sample", "50", "--cache", str(mnist_cache))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "overall" in done.stdout and "FAIL" not in done.stdout
    (tmp_path / "not.zip").write_text("plain text")
    done = cli("check", str(tmp_path / "not.zip"), "--no-install", "--cache", str(mnist_cache))
    assert done.returncode == 2 and "not a zip archive" in done.stderr


def index_reachable() -> bool:
    """Whether pip can reach a package index from here (the fresh-venv path needs one)."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", tmp, "six"],
            capture_output=True,
            timeout=120,
        )
    return done.returncode == 0


@pytest.mark.slow
def test_check_installs_python_txt_into_a_fresh_venv(tmp_path, mnist_test):
    if not index_reachable():
        pytest.skip("no package index reachable: the fresh-venv install cannot run here")
    archive = build_archive("default", tmp_path / "s.zip").path
    images, labels = mnist_test
    report = check_archive(archive, install=True, images=images, labels=labels, sample=200)
    assert report.passed, (report.results, report.log)
    assert report.accuracy > 0.97


def test_bundled_modules_import_as_a_package_with_files_and_source_lines(tmp_path):
    import traceback

    from digitkit.package.bundle import SourceFinder

    sources = {
        "bundled": "SCALE = 3\n",
        "bundled.tools": (
            "from __future__ import annotations\nimport dataclasses\nfrom bundled import SCALE\n\n"
            "@dataclasses.dataclass\nclass Box:\n    size: int = SCALE\n\n"
            "def explode() -> None:\n    raise ValueError('from the bundle')\n"
        ),
    }
    finder = SourceFinder(sources, ["bundled"], str(tmp_path))
    finder.install()
    try:
        from bundled import tools  # type: ignore[import-not-found]

        assert tools.Box().size == 3
        assert tools.__file__ == str(tmp_path / "bundled" / "tools.py")
        assert sys.modules["bundled"].__file__ == str(tmp_path / "bundled" / "__init__.py")
        with pytest.raises(ValueError) as caught:
            tools.explode()
        assert "raise ValueError('from the bundle')" in "".join(traceback.format_tb(caught.tb))
    finally:
        sys.meta_path.remove(finder)
        for name in ("bundled", "bundled.tools"):
            sys.modules.pop(name, None)
