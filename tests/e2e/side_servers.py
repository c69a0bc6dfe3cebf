"""What Home Assistant talks to in the end-to-end tests, besides the Ollama emulator:
a real MQTT broker (Debian's mosquitto) and the local image server."""

import json
import os
from pathlib import Path
import pwd
import shutil
from typing import Any

from paho.mqtt import publish

from tests.e2e.loop_thread import LoopThread
from tests.e2e.processes import LOOPBACK, ManagedProcess, free_port, wait_until
from tests.image_server import ImageServer

# Debian installs the broker in /usr/sbin, which is not on every PATH.
MOSQUITTO_FALLBACK = Path("/usr/sbin/mosquitto")


def mosquitto_path() -> Path | None:
    found = shutil.which("mosquitto")
    if found:
        return Path(found)
    return MOSQUITTO_FALLBACK if MOSQUITTO_FALLBACK.exists() else None


class MqttBroker:
    """mosquitto on a free loopback port, anonymous clients allowed, no persistence."""

    def __init__(self, work_dir: Path) -> None:
        self.port = free_port()
        conf = work_dir / "mosquitto.conf"
        # A log file, unlike stdout, is flushed line by line.
        self.log_path = work_dir / "mosquitto.log"
        conf.write_text(
            f"listener {self.port} {LOOPBACK}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            # As root, mosquitto would switch to its own user, who cannot
            # write into the test's private temporary directory.
            f"user {pwd.getpwuid(os.getuid()).pw_name}\n"
            f"log_dest file {self.log_path}\n"
            # Subscriptions in the log tell when a subscriber is ready.
            "log_type error\nlog_type warning\nlog_type notice\n"
            "log_type information\nlog_type subscribe\n",
            encoding="utf-8",
        )
        binary = mosquitto_path()
        if binary is None:
            raise FileNotFoundError("mosquitto is not installed")
        self._process = ManagedProcess(
            "mosquitto", [str(binary), "-c", str(conf)], work_dir / "mosquitto.out"
        )

    def start(self) -> None:
        self._process.start()
        self._process.wait_for_port(self.port, timeout=15)

    def stop(self) -> None:
        self._process.stop(timeout=10)

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
