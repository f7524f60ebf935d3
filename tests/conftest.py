"""Shared test helpers."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def shared_dir() -> Path:
    """The shared directory beside the checkout (holds ``corpus/``, the real records with their ground truth)."""
    return Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture
def shared() -> Path:
    """``shared_dir()`` as a fixture."""
    return shared_dir()


# --- tools and real server processes (tests/test_clients.py, tests/test_browser.py) --------------------------------


def require_tool(name: str, package: str) -> str:
    """The path of the executable ``name``. When it is missing the test is skipped, saying which Debian package
    brings it; under ``CI=true`` it fails instead, since CI must run every test (``.ci/run`` installs the tools)."""
    import shutil

    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} is not installed (Debian package {package}: apt-get install -y {package})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; under CI=true this is a failure: .ci/run must install it", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DocketServer:
    """`docket serve` as a real process (gunicorn master, workers and their query processes) in its own session on
    a loopback port; ``stop()`` ends the whole process group. Use as a context manager so it stops on failure too."""

    def __init__(self, store: Path, base: str, port: int, log: Path, *, workers: int = 2,
                 env: dict[str, str] | None = None):
        self.store, self.base, self.port, self.log_path = store, base, port, log
        self.url = f"http://127.0.0.1:{port}/"  # where it listens (the base may be a public URL in front of it)
        self.command = [sys.executable, "-m", "ld.cli", "serve", "--store", str(store), "--base-uri", base,
                        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "DocketServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, timeout: float = 30.0) -> None:
        """Start the server and wait (at most ``timeout`` seconds) until its home page answers 200."""
        with self.log_path.open("wb") as log:
            # A new session makes the server the leader of its own process group, so stop() reaches every child.
            self.process = subprocess.Popen(self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"docket serve did not come up within {timeout} s; its log:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def _answers(self) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(self.url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the process group (gunicorn shuts its workers down), then SIGKILL whatever is left of it."""
        if self.process is None:
            return
        group = self.process.pid
        _signal_group(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(group, signal.SIGKILL)  # workers or query processes that outlived their master
        self.process.wait(timeout=timeout)
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def _signal_group(group: int, sig: int) -> None:
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        pass  # nothing left in the group


# --- a real SPARQL server (`oxigraph serve`, PyPI package oxigraph, a test dependency) ---------------------------------


def oxigraph_binary() -> str:
    """The `oxigraph` command installed beside this Python (pyproject's test extra pins it), else on PATH."""
    import shutil

    beside = Path(sys.executable).with_name("oxigraph")
    path = str(beside) if beside.exists() else shutil.which("oxigraph")
    if path is None:
        reason = "the oxigraph server is not installed (PyPI package oxigraph, in the test extra: make install)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


class OxigraphServer:
    """`oxigraph serve` on a free loopback port over a directory, its default graph the union of all graphs (as
    docket's own endpoint has it); ``query_url`` and ``update_url`` are its SPARQL endpoints."""

    def __init__(self, location: Path, log: Path):
        self.location, self.log_path = location, log
        self.port = free_port()
        self.query_url = f"http://127.0.0.1:{self.port}/query"
        self.update_url = f"http://127.0.0.1:{self.port}/update"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "OxigraphServer":
        command = [oxigraph_binary(), "serve", "--location", str(self.location), "--bind",
                   f"127.0.0.1:{self.port}", "--union-default-graph"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            start_new_session=True)
        deadline = time.monotonic() + 30
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                pytest.fail(f"oxigraph serve did not come up; its log:\n{self.log_path.read_text()[-2000:]}")
            time.sleep(0.05)
        return self

    def _answers(self) -> bool:
        import urllib.parse
        import urllib.request

        url = f"{self.query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory) -> OxigraphServer:
    """One `oxigraph serve` for the whole session; tests keep apart by using bases of their own."""
    folder = tmp_path_factory.mktemp("oxigraph-server")
    with OxigraphServer(folder / "data", folder / "server.log") as server:
        yield server
