"""A real Home Assistant process for the end-to-end tests, and a client for its API."""

from collections.abc import Callable, Mapping
import json
from pathlib import Path
import shutil
import sys
from typing import Any
import urllib.error
import urllib.request

import aiohttp

from tests.e2e.ha_config_dir import REPO_ROOT, prepare
from tests.e2e.loop_thread import LoopThread
from tests.e2e.processes import (
    ManagedProcess,
    PortReservation,
    start_on_a_reserved_port,
    wait_until,
)
from tests.local_server import LOOPBACK

HASS = Path(sys.executable).with_name("hass")
STARTUP_TIMEOUT = 90


class ApiError(Exception):
    """Home Assistant answered a request with an error."""


class HomeAssistant:
    """`hass -c <config_dir>` on a reserved loopback port, with the dev configuration.yaml."""

    def __init__(self, config_dir: Path, loop: LoopThread) -> None:
        self.config_dir = config_dir
        self.port = 0
        """Chosen at the first start, kept through restarts."""
        self.token: str | None = None
        self._loop = loop
        self._reservation: PortReservation | None = None
        # Beside the configuration, which a start on a taken port leaves behind.
        self._process = ManagedProcess(
            "Home Assistant",
            [str(HASS), "-c", str(config_dir)],
            config_dir.with_name(f"{config_dir.name}-console.log"),
            cwd=REPO_ROOT,
        )

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.config_dir / "home-assistant.log"

    def start(self, reserve: Callable[[], PortReservation] = PortReservation) -> None:
        """Start and wait until it serves pages (and, once onboarded, runs).

        The first start prepares the configuration scripts/develop runs, on a
        reserved port; if Home Assistant cannot listen there after all, it starts
        afresh on another. Later starts keep the port (the browser's sign-in
        belongs to the address), which the reservation held meanwhile.
        """
        if self._reservation is None:
            self._reservation = start_on_a_reserved_port(
                self._first_start, self.discard, "Home Assistant", reserve
            )
        else:
            self._process.start()
            self._process.wait_for_port(self.port, STARTUP_TIMEOUT)
        if self.token is not None:
            wait_until(self.is_running, STARTUP_TIMEOUT, "Home Assistant to start")

    def _first_start(self, port: int) -> None:
        self.port = port
        self.config_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            REPO_ROOT / "config" / "configuration.yaml",
            self.config_dir / "configuration.yaml",
        )
        prepare(self.config_dir, port)
        self._process.start()
        self._process.wait_for_port(port, STARTUP_TIMEOUT)

    def discard(self) -> None:
        """Stop however far it got, and delete its configuration: after a start on
        a taken port nothing of it stays for the next one."""
        self._process.stop(timeout=60)
        shutil.rmtree(self.config_dir, ignore_errors=True)

    def stop(self) -> None:
        """Stop as a user's SIGTERM would: it saves its state on the way out."""
        code = self._process.stop(timeout=60)
        if code not in (None, 0):
            raise RuntimeError(f"Home Assistant exited with code {code}")

    def release_port(self) -> None:
        """Once stopped for good."""
        if self._reservation is not None:
            self._reservation.release()
            self._reservation = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        try:
            return bool(self.get("/api/config")["state"] == "RUNNING")
        except OSError, ApiError:
            return False

    # REST API -----------------------------------------------------------------

    def request(self, method: str, path: str, body: object = None) -> Any:
        """A REST call with the access token; returns the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")
            raise ApiError(f"{method} {path}: {err.code} {detail}") from err
        return json.loads(text) if text else None

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def post(self, path: str, body: object = None) -> Any:
        return self.request("POST", path, {} if body is None else body)

    @property
    def version(self) -> tuple[int, int]:
        """The running Home Assistant's release, as (year, month)."""
        year, month = str(self.get("/api/config")["version"]).split(".")[:2]
        return int(year), int(month)

    def state(self, entity_id: str) -> dict[str, Any] | None:
        try:
            return dict(self.get(f"/api/states/{entity_id}"))
        except ApiError as err:
            if ": 404 " in str(err):
                return None
            raise

    def call_service(self, domain: str, service: str, data: Mapping[str, Any]) -> None:
        self.post(f"/api/services/{domain}/{service}", dict(data))

    def call_service_with_response(
        self, domain: str, service: str, data: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Call an action that answers, as a `response_variable` would get it."""
        path = f"/api/services/{domain}/{service}?return_response"
        return dict(self.post(path, dict(data))["service_response"])

    def config_flow(self, handler: str, *steps: Mapping[str, Any]) -> dict[str, Any]:
        """Run a config flow through the API, answering each form with a step."""
        result = dict(
            self.post("/api/config/config_entries/flow", {"handler": handler})
        )
        for answer in steps:
            if result["type"] != "form":
                raise ApiError(f"{handler} flow ended early: {result}")
            if result.get("errors"):
                raise ApiError(f"{handler} flow errors: {result['errors']}")
            path = f"/api/config/config_entries/flow/{result['flow_id']}"
            result = dict(self.post(path, dict(answer)))
        if result["type"] != "create_entry":
            raise ApiError(f"{handler} flow did not create an entry: {result}")
        return dict(result["result"])

    def entries(self, domain: str) -> list[dict[str, Any]]:
        return list(self.get(f"/api/config/config_entries/entry?domain={domain}"))

    # Websocket API ------------------------------------------------------------

    def ws(self, message: Mapping[str, Any]) -> Any:
        """One websocket command (the frontend's API); returns its result."""
        return self._loop.run(self._ws(dict(message)))

    async def _ws(self, message: dict[str, Any]) -> Any:
        url = self.url.replace("http", "ws", 1) + "/api/websocket"
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": self.token})
            if (auth := await ws.receive_json())["type"] != "auth_ok":
                raise ApiError(f"websocket authentication failed: {auth}")
            await ws.send_json({"id": 1, **message})
            answer = await ws.receive_json()
        if not answer["success"]:
            raise ApiError(f"{message['type']}: {answer['error']}")
        return answer["result"]

    def device_id(self, entry_id: str) -> str:
        """The device of a config entry (this integration makes one per entry)."""
        devices = self.ws({"type": "config/device_registry/list"})
        ids = [d["id"] for d in devices if d["config_entry_id"] == entry_id]
        if len(ids) != 1:
            raise ApiError(f"expected one device for entry {entry_id}, got {ids}")
        return str(ids[0])
