"""Child processes of the end-to-end tests: started, awaited, stopped for good.

No port is found free and used later, when another program may have taken it:
a server that can bind port 0 and say which port it got does so (the Ollama
emulator prints it); for one that cannot (mosquitto, Home Assistant) the port is
reserved first (`PortReservation`) and, should the server still fail to listen
on it, it is started again on another (`start_on_a_reserved_port`).
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import time
from typing import IO

import psutil  # type: ignore[import-untyped]  # no stubs in the test requirements

from tests.local_server import LOOPBACK, reserve_port

PORT_ATTEMPTS = 5
_ADDRESS_IN_USE = re.compile(r"address already in use", re.IGNORECASE)


class PortTaken(Exception):
    """A child could not listen on its port: another program holds it."""


class PortReservation:
    """A loopback port held for one server, through its restarts, until released.

    See `reserve_port`: the server (which sets SO_REUSEADDR, as mosquitto and Home
    Assistant do) can listen on it; no other program can take it from them.
    """

    def __init__(self) -> None:
        self._socket: socket.socket | None = reserve_port(LOOPBACK)
        self.port: int = self._socket.getsockname()[1]

    def release(self) -> None:
        socket_, self._socket = self._socket, None
        if socket_ is not None:
            socket_.close()


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port where connections are refused for as long as this lasts: a
    socket bound to it that never listens (without SO_REUSEADDR: nobody else can
    listen there either)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind((LOOPBACK, 0))
        yield bound.getsockname()[1]


def start_on_a_reserved_port(
    start: Callable[[int], None],
    discard: Callable[[], object],
    what: str,
    reserve: Callable[[], PortReservation] = PortReservation,
) -> PortReservation:
    """Reserve a port and `start` a server on it, until one attempt works.

    `start(port)` raises PortTaken when the server could not listen on the port;
    `discard()` then removes what the failed attempt left (its process, its
    configuration) before the next attempt, on a port reserved anew.
    """
    for _ in range(PORT_ATTEMPTS):
        reservation = reserve()
        try:
            start(reservation.port)
        except PortTaken:
            discard()
            reservation.release()
            continue
        return reservation
    raise RuntimeError(f"{what} found no port to listen on in {PORT_ATTEMPTS} tries")


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
        self._log_start = 0
        """Where this run's output begins in the log (it is appended to)."""

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
        self._log_start = self._log.tell()
        self._process = subprocess.Popen(
            self.argv,
            cwd=self._cwd,
            env=self._env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        """What the process has written since it was last started."""
        with self.log_path.open("rb") as log:
            log.seek(self._log_start)
            return log.read().decode(errors="replace")

    def wait_for_output(self, pattern: str, timeout: float) -> re.Match[str]:
        """The first match of `pattern` in this run's output, once it appears."""
        found: list[re.Match[str]] = []

        def written() -> bool:
            # Whether it ran before reading: what it wrote before exiting counts.
            running = self.running
            match = re.search(pattern, self.output())
            if match is None and not running:
                raise RuntimeError(
                    f"{self.name} exited without writing /{pattern}/; "
                    f"its output is in {self.log_path}"
                )
            found[:] = [match] if match else []
            return match is not None

        wait_until(written, timeout, f"{self.name} to write /{pattern}/")
        return found[0]

    def listens_on(self, port: int) -> bool:
        """Whether this process, or one of its children, listens on the loopback port."""
        if self._process is None:
            return False
        try:
            root = psutil.Process(self._process.pid)
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return False
        for process in family:
            try:
                connections = process.net_connections(kind="tcp")
            except psutil.NoSuchProcess, psutil.AccessDenied:
                continue
            if any(
                connection.status == psutil.CONN_LISTEN
                and connection.laddr.port == port
                for connection in connections
            ):
                return True
        return False

    def wait_for_port(self, port: int, timeout: float) -> None:
        """Wait until the process listens on `port`.

        PortTaken when it cannot: it exited or wrote that the address is in use
        (naming the port, when it is still running: Home Assistant carries on
        without its HTTP server), or another program answers on the port. Another
        exit is a RuntimeError; it fails at once either way.
        """

        def listening() -> bool:
            if self.listens_on(port):
                return True
            # Whether it ran before reading: after an exit, all it wrote is there.
            running = self.running
            output = self.output()
            if not running:
                if _ADDRESS_IN_USE.search(output):
                    raise PortTaken(f"{self.name}: port {port} is taken")
                raise RuntimeError(
                    f"{self.name} exited before listening on {port}; "
                    f"its output is in {self.log_path}"
                )
            if any(
                _ADDRESS_IN_USE.search(line) and str(port) in line
                for line in output.splitlines()
            ):
                raise PortTaken(f"{self.name}: port {port} is taken")
            # Someone answers, and it is not this process (asked again: it may
            # have started listening in between).
            if port_open(port) and not self.listens_on(port):
                raise PortTaken(f"{self.name}: another program listens on {port}")
            return False

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
