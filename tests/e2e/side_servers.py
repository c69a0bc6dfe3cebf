"""What Home Assistant talks to in the end-to-end tests, besides the Ollama emulator:
a real MQTT broker (Debian's mosquitto) and the local image server."""

from collections.abc import Callable
import json
import os
from pathlib import Path
import pwd
import shutil
from typing import Any

from paho.mqtt import publish

from tests.e2e.loop_thread import LoopThread
from tests.e2e.processes import (
    ManagedProcess,
    PortReservation,
    start_on_a_reserved_port,
    wait_until,
)
from tests.image_server import ImageServer
from tests.local_server import LOOPBACK

# Debian installs the broker in /usr/sbin, which is not on every PATH.
MOSQUITTO_FALLBACK = Path("/usr/sbin/mosquitto")


def mosquitto_path() -> Path | None:
    found = shutil.which("mosquitto")
    if found:
        return Path(found)
    return MOSQUITTO_FALLBACK if MOSQUITTO_FALLBACK.exists() else None


class MqttBroker:
    """mosquitto on a reserved loopback port, anonymous clients allowed, no persistence."""

    def __init__(self, work_dir: Path) -> None:
        binary = mosquitto_path()
        if binary is None:
            raise FileNotFoundError("mosquitto is not installed")
        self._conf = work_dir / "mosquitto.conf"
        # A log file, unlike stdout, is flushed line by line.
        self.log_path = work_dir / "mosquitto.log"
        self._process = ManagedProcess(
            "mosquitto",
            [str(binary), "-c", str(self._conf)],
            work_dir / "mosquitto.out",
        )
        self._reservation: PortReservation | None = None
        self.port = 0

    def start(self, reserve: Callable[[], PortReservation] = PortReservation) -> None:
        """Start on a reserved port; on another if mosquitto cannot listen there."""
        self._reservation = start_on_a_reserved_port(
            self._start_on, self._process.stop, "mosquitto", reserve
        )

    def _start_on(self, port: int) -> None:
        self.port = port
        self._conf.write_text(
            f"listener {port} {LOOPBACK}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            # As root, mosquitto would switch to its own user, who cannot
            # write into the test's private temporary directory.
            f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
            f"log_dest file {self.log_path}\n"
            # Also to the process's output, where a failed start says why.
            "log_dest stdout\n"
            # Subscriptions in the log tell when a subscriber is ready.
            "log_type error\nlog_type warning\nlog_type notice\n"
            "log_type information\nlog_type subscribe\n",
            encoding="utf-8",
        )
        self._process.start()
        self._process.wait_for_port(port, timeout=15)

    def stop(self) -> None:
        self._process.stop(timeout=10)
        if self._reservation is not None:
            self._reservation.release()
            self._reservation = None

    def wait_for_subscription(self, topic: str, timeout: float) -> None:
        """Until some client subscribed to `topic`: messages sent before are lost."""

        def subscribed() -> bool:
            log = self.log_path.read_text(encoding="utf-8", errors="replace")
            return any(line.rstrip().endswith(f" {topic}") for line in log.splitlines())

        wait_until(subscribed, timeout, f"a subscription to {topic}")

    def publish_json(self, topic: str, payload: dict[str, Any]) -> None:
        """Publish as Frigate does: a JSON message, QoS 0, not retained."""
        publish.single(topic, json.dumps(payload), hostname=LOOPBACK, port=self.port)


class ThreadedImageServer:
    """tests.image_server.ImageServer, run on the e2e loop thread."""

    def __init__(self, loop: LoopThread) -> None:
        self._loop = loop
        self.server = ImageServer()

    def start(self) -> None:
        self._loop.run(self.server.start())

    def stop(self) -> None:
        self._loop.run(self.server.close())

    def add(self, path: str, body: bytes, content_type: str = "image/jpeg") -> str:
        """Serve `body` at `path`; returns its URL."""
        self.server.add(path, body, content_type=content_type)
        return self.server.url(path)

    def requested(self, path: str) -> bool:
        return any(request.path == path for request in self.server.requests)
