"""Child processes of the end-to-end tests: started, awaited, stopped for good."""

from collections.abc import Callable, Sequence
import os
from pathlib import Path
import signal
import socket
import subprocess
import time
from typing import IO

import psutil  # type: ignore[import-untyped]  # no stubs in the test requirements

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A loopback port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def port_open(port: int) -> bool:
    """Whether something accepts connections on the loopback port."""
    try:
        socket.create_connection((LOOPBACK, port), timeout=1).close()
    except OSError:
        return False
    return True


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.2
) -> None:
    """Poll `condition` until it holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class ManagedProcess:
    """A child in a session of its own, so that stopping it also stops its children."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self._cwd = cwd
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            self.argv,
            cwd=self._cwd,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_for_port(self, port: int, timeout: float) -> None:
        """Wait until the process listens on `port`; fail at once if it died."""

        def listening() -> bool:
            if not self.running:
                raise RuntimeError(
                    f"{self.name} exited before listening on {port}; "
                    f"its output is in {self.log_path}"
                )
            return port_open(port)

        wait_until(listening, timeout, f"{self.name} to listen on port {port}")

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM the process group, SIGKILL what is left after `timeout`."""
        process, self._process = self._process, None
        if process is None:
            return None
        # start_new_session made the child the leader of process group `pid`.
        _signal_group(process.pid, signal.SIGTERM)
        try:
            code: int | None = process.wait(timeout)
        except subprocess.TimeoutExpired:
            code = None
        # Also reaches children that outlived their parent or ignored SIGTERM.
        _signal_group(process.pid, signal.SIGKILL)
        if code is None:
            code = process.wait(5)
        if self._log is not None:
            self._log.close()
            self._log = None
        return code


def _signal_group(group: int, signum: signal.Signals) -> None:
    try:
        os.killpg(group, signum)
    except ProcessLookupError:
        return


def living_children() -> list[psutil.Process]:
    """This process's descendants that still run (zombies are about to be reaped)."""
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            continue
    return alive
