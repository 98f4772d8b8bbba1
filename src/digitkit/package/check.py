"""Check a submission archive the way the organizers will: unpack, install, start, probe, exit.

All traffic goes to 127.0.0.1; every request is bounded in time; the started process is always stopped.
"""

from __future__ import annotations

import concurrent.futures
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from digitkit.errors import ConfigError
from digitkit.package.interpreters import version_of

MEMORY_LIMIT = 2 * 1024**3  #: the organizers' 2 GB
START_TIMEOUT_S = 60.0  #: the organizers' start-up limit


@dataclass
class CheckResult:
    name: str
    passed: bool
    detail: str


@dataclass
class CheckReport:
    interpreter: str = "this environment"  #: the Python version the archive was installed and run with
    install_seconds: float = 0.0
    install_problem: str = ""  #: pip's last line when python.txt did not install, else ""
    results: list[CheckResult] = field(default_factory=list)
    startup_seconds: float = 0.0
    peak_rss_mb: float = 0.0
    accuracy: float = 0.0
    log: str = ""

    @property
    def passed(self) -> bool:
        return not self.install_problem and bool(self.results) and all(r.passed for r in self.results)

    @property
    def probes(self) -> list[CheckResult]:
        """The functional probes (start-up, accuracy, exit and memory are reported in columns of their own)."""
        return [r for r in self.results if r.name not in ("start-up", "peak RSS") and not r.name.startswith("acc")]


def _png(array: np.ndarray, mode: str | None = None, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image = Image.fromarray(array)
    (image.convert(mode) if mode else image).save(buffer, format=fmt)
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _limit_like_organizers() -> None:  # pragma: no cover - runs in the child process
    """One CPU and a 2 GB address space, where the platform allows."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass


def _install(folder: Path, python: Path, report: CheckReport) -> Path | None:
    """A fresh virtual environment of ``python`` with python.txt installed by its own pip, as the organizers
    do; returns the environment's bin folder, or None (and ``report.install_problem``) when pip failed."""
    env_dir = folder.parent / "venv"
    started = time.perf_counter()
    made = subprocess.run([str(python), "-m", "venv", str(env_dir)], capture_output=True, text=True, timeout=300)
    if made.returncode != 0:
        report.install_problem = "venv: " + (made.stderr.strip().splitlines() or ["failed"])[-1]
        return None
    requirements = folder / "python.txt"
    if requirements.is_file():
        done = subprocess.run(
            [str(env_dir / "bin" / "python"), "-m", "pip", "install", "-r", str(requirements)],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0:
            lines = [line for line in output.strip().splitlines() if line.strip() and "ignored" not in line]
            report.install_problem = "pip: " + (lines[-1] if lines else f"exit code {done.returncode}")[:200]
            return None
        built = re.findall(r"Building wheel for (\S+)", output)
        if built:  # the organizers' machine may have no compiler: every package must come as a wheel
            report.install_problem = f"pip built {', '.join(built)} from source instead of installing a wheel"
            return None
    report.install_seconds = time.perf_counter() - started
    return env_dir / "bin"


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _raw(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(payload)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _probes(images: np.ndarray, labels: np.ndarray) -> list[tuple[str, Callable[[httpx.Client, int], str | None]]]:
    """Each probe returns None when the answer is right, else what was wrong."""
    good = [_png(im) for im in images[:3]]
    jpeg = _png(images[3], fmt="JPEG")

    def files(*blobs: bytes) -> list[tuple[str, tuple[str, bytes, str]]]:
        return [("x", (f"{i}.img", b, "application/octet-stream")) for i, b in enumerate(blobs)]

    def expect(response: httpx.Response, status: int, key: str) -> str | None:
        try:
            body = response.json()
        except ValueError:
            return f"status {response.status_code}, body is not JSON: {response.text[:80]!r}"
        if response.status_code != status or key not in body:
            return f"expected {status} with '{key}', got {response.status_code} {str(body)[:120]}"
        return None

    def predicts(count: int) -> Callable[[httpx.Client, int], str | None]:
        def probe(client: httpx.Client, port: int) -> str | None:
            response = client.post("/predict", files=files(*(good + [jpeg])[:count]))
            problem = expect(response, 200, "y")
            if problem is None and len(response.json()["y"]) != count:
                return f"expected {count} digits, got {response.json()['y']}"
            return problem

        return probe

    def bad(*blobs: bytes) -> Callable[[httpx.Client, int], str | None]:
        return lambda client, port: expect(client.post("/predict", files=files(*blobs)), 400, "error")

    def order(client: httpx.Client, port: int) -> str | None:
        singles = [client.post("/predict", files=files(b)).json()["y"][0] for b in good]
        together = client.post("/predict", files=files(*good)).json()["y"]
        return None if together == singles else f"alone {singles}, together {together}"

    def malformed(client: httpx.Client, port: int) -> str | None:
        answer = _raw(port, b"NOT HTTP AT ALL\r\n\r\n")
        return None if answer.startswith(b"HTTP/1.1 400") else f"got {answer[:60]!r}"

    def parallel(client: httpx.Client, port: int) -> str | None:
        expected = client.post("/predict", files=files(good[0])).json()["y"]
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: client.post("/predict", files=files(good[0])).json()["y"], range(32)))
        return None if all(a == expected for a in answers) else f"answers differ: {answers[:5]}"

    def status(client: httpx.Client, port: int) -> str | None:
        response = client.get("/status")
        ok = response.status_code == 200 and response.json() == {"status": "Ok"}
        return None if ok else f"expected 200 {{'status': 'Ok'}}, got {response.status_code} {response.text[:80]}"

    def wrong_content(client: httpx.Client, port: int) -> str | None:
        return expect(client.post("/predict", content=b"x=1", headers={"content-type": "text/plain"}), 400, "error")

    return [
        ("GET /status", status),
        ("one PNG", predicts(1)),
        ("several PNG + JPEG", predicts(4)),
        ("order kept", order),
        ("broken image", bad(good[0][:40])),
        ("not an image", bad(b"hello world")),
        ("wrong size 32x32", bad(_png(np.zeros((32, 32), np.uint8)))),
        ("RGB image", bad(_png(images[0], mode="RGB"))),
        ("RGBA image", bad(_png(images[0], mode="RGBA"))),
        ("16-bit image", bad(_png(images[0].astype(np.uint16) * 256))),
        ("good mixed with broken", bad(good[0], good[1][:50], good[2])),
        ("empty file", bad(b"")),
        (
            "missing field x",
            lambda client, port: expect(client.post("/predict", files=[("y", ("a", good[0]))]), 400, "error"),
        ),
        ("non-multipart body", wrong_content),
        ("empty body", lambda client, port: expect(client.post("/predict"), 400, "error")),
        ("invalid HTTP", malformed),
        ("unknown path", lambda client, port: expect(client.get("/nope"), 404, "error")),
        ("parallel requests", parallel),
    ]


def check_archive(
    archive: Path, *, python: Path | None, images: np.ndarray, labels: np.ndarray, sample: int = 500
) -> CheckReport:
    """Install the archive with ``python`` (None: run it in this environment, nothing installed), start it
    and run every probe; the caller prints the table."""
    report = CheckReport()
    if not archive.is_file():
        raise ConfigError(f"no archive at {archive}; build one with `digitkit package MODEL -o {archive}`")
    if not zipfile.is_zipfile(archive):
        raise ConfigError(f"{archive} is not a zip archive")
    with tempfile.TemporaryDirectory(prefix="digitkit-check-") as tmp:
        folder = Path(tmp) / "submit"
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(folder)
        if not (folder / "run.sh").is_file():
            raise ConfigError(f"{archive} has no run.sh at its top level")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DIGITKIT_", "PYTHON"))}
        if python is None:
            bin_dir: Path | None = Path(sys.executable).parent
            env["PYTHON"] = sys.executable  # this environment's python, even where it is not first on PATH
        else:
            report.interpreter = version_of(python)
            bin_dir = _install(folder, python, report)
            if bin_dir is None:
                return report
        env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", HTTP_PROXY="", HTTPS_PROXY="")
        port = _free_port()
        log = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
        started = time.perf_counter()
        process = subprocess.Popen(
            ["sh", str(folder / "run.sh"), "127.0.0.1", str(port)],
            cwd=Path.home(),
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_limit_like_organizers,
        )
        try:
            _run_probes(report, process, port, started, images, labels, sample)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.seek(0)
            report.log = log.read().decode(errors="replace")[-4000:]
            log.close()
    return report


def _wait_for_status(client: httpx.Client, process: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.perf_counter() < deadline and process.poll() is None:
        try:
            if client.get("/status", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.02)
    return False


def _run_probes(
    report: CheckReport,
    process: subprocess.Popen[bytes],
    port: int,
    started: float,
    images: np.ndarray,
    labels: np.ndarray,
    sample: int,
) -> None:
    add = report.results.append
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20, trust_env=False) as client:
        if not _wait_for_status(client, process, started + START_TIMEOUT_S):
            code = process.poll()
            if code is None:
                add(CheckResult("start-up", False, f"no 200 on /status within {START_TIMEOUT_S:.0f} s"))
            else:
                waited = time.perf_counter() - started
                add(CheckResult("start-up", False, f"the service exited with code {code} after {waited:.1f} s"))
            return
        report.startup_seconds = time.perf_counter() - started
        add(CheckResult("start-up", True, f"{report.startup_seconds:.2f} s"))
        for name, probe in _probes(images, labels):
            try:
                problem = probe(client, port)
            except (httpx.HTTPError, OSError, ValueError, KeyError) as exc:
                problem = f"{exc.__class__.__name__}: {exc}"
            add(CheckResult(name, problem is None, problem or "ok"))
        correct = 0
        for start in range(0, sample, 50):
            batch = images[start : min(sample, start + 50)]
            response = client.post(
                "/predict", files=[("x", (f"{i}.png", _png(im), "image/png")) for i, im in enumerate(batch)]
            )
            correct += int((np.array(response.json()["y"]) == labels[start : start + len(batch)]).sum())
        report.accuracy = correct / sample
        add(CheckResult(f"accuracy over HTTP ({sample} MNIST test images)", True, f"{report.accuracy:.2%}"))
        report.peak_rss_mb = _peak_rss_mb(process.pid)
        response = client.get("/exit")
        problem = None if response.status_code == 200 and response.json() == {"exit": "Ok"} else response.text[:80]
        try:
            code = process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            code = None
        ok = problem is None and code == 0
        add(CheckResult("GET /exit ends with code 0", ok, "ok" if ok else f"answer {problem}, exit code {code}"))
        add(CheckResult("peak RSS", report.peak_rss_mb < MEMORY_LIMIT / 1024**2, f"{report.peak_rss_mb:.0f} MB"))


def format_matrix(reports: list[CheckReport]) -> str:
    """One row per interpreter: install, start-up, probes passed, accuracy, peak RSS."""
    rows = [("interpreter", "install", "start-up", "probes", "accuracy", "peak RSS", "result")]
    for r in reports:
        if r.install_problem:
            rows.append((r.interpreter, "FAIL", "-", "-", "-", "-", r.install_problem))
            continue
        start = next((x for x in r.results if x.name == "start-up"), None)
        rows.append(
            (
                r.interpreter,
                f"{r.install_seconds:.0f} s",
                f"{r.startup_seconds:.2f} s" if start is not None and start.passed else "FAIL",
                f"{sum(p.passed for p in r.probes)}/{len(r.probes)}",
                f"{r.accuracy:.2%}" if r.accuracy else "-",
                f"{r.peak_rss_mb:.0f} MB" if r.peak_rss_mb else "-",
                "PASS" if r.passed else "FAIL",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def format_report(report: CheckReport) -> str:
    width = max(len(r.name) for r in report.results) if report.results else 10
    lines = [f"{'check':<{width}}  result  detail"]
    lines += [f"{r.name:<{width}}  {'PASS' if r.passed else 'FAIL'}    {r.detail}" for r in report.results]
    lines.append(f"{'overall':<{width}}  {'PASS' if report.passed else 'FAIL'}")
    return "\n".join(lines)
