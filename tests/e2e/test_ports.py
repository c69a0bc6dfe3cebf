"""The e2e servers find a port even when the one reserved for them is taken.

A reservation keeps other programs off its port, except one that binds that very
port with SO_REUSEADDR and listens before the server does. These tests make that
happen to the first port, and the server must start on another one.
"""

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
import socket
import urllib.request

from paho.mqtt import publish
import pytest

from tests.e2e.home_assistant import HomeAssistant
from tests.e2e.loop_thread import LoopThread
from tests.e2e.processes import PortReservation
from tests.e2e.side_servers import MqttBroker
from tests.local_server import LOOPBACK

pytestmark = pytest.mark.timeout(240)


class FirstPortTaken:
    """Reservations, the first of whose ports another program listens on."""

    def __init__(self, stack: ExitStack) -> None:
        self._stack = stack
        self.taken: list[int] = []

    def __call__(self) -> PortReservation:
        reservation = PortReservation()
        if not self.taken:
            intruder = self._stack.enter_context(socket.socket())
            intruder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            intruder.bind((LOOPBACK, reservation.port))
            intruder.listen()
            self.taken.append(reservation.port)
        return reservation


@pytest.fixture
def first_port_taken() -> Iterator[FirstPortTaken]:
    with ExitStack() as stack:
        yield FirstPortTaken(stack)


def test_mosquitto_moves_to_another_port(
    e2e_tools: None, work_dir: Path, first_port_taken: FirstPortTaken
) -> None:
    (work_dir / "moved").mkdir()
    broker = MqttBroker(work_dir / "moved")
    broker.start(first_port_taken)
    try:
        assert first_port_taken.taken
        assert broker.port not in first_port_taken.taken
        # It answers MQTT there. (Whether the first try got to say why it gave up
        # depends on whether it was stopped first: not asserted.)
        publish.single("moved/here", "yes", hostname=LOOPBACK, port=broker.port)
    finally:
        broker.stop()


def test_home_assistant_moves_to_another_port(
    e2e_tools: None,
    work_dir: Path,
    loop_thread: LoopThread,
    first_port_taken: FirstPortTaken,
) -> None:
    ha = HomeAssistant(work_dir / "moved-config", loop_thread)
    try:
        ha.start(first_port_taken)
        assert first_port_taken.taken
        assert ha.port not in first_port_taken.taken
        # It serves its pages on the new port, which its settings name.
        with urllib.request.urlopen(ha.url + "/manifest.json", timeout=30) as page:
            assert page.status == 200
        http_settings = (ha.config_dir / ".storage" / "http").read_text()
        assert f'"server_port": {ha.port}' in http_settings
    finally:
        # Not signed in, maybe not done starting: stopped without ceremony.
        ha.discard()
        ha.release_port()
