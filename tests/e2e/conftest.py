"""Fixtures of the end-to-end tests: real processes on loopback ports.

Everything here is module-scoped: the servers, Home Assistant and the browser start
once for tests/e2e/test_home_assistant.py and stop right after it, before the rest
of the suite runs.

These tests drive Home Assistant from outside, so the in-process harness of
pytest-homeassistant-custom-component does not apply to them: the fixtures below
that share its names switch it off for this directory only.
"""

from collections.abc import Generator, Iterator
import importlib.util
import os
from pathlib import Path
import shutil
import sys
from typing import TYPE_CHECKING, Any
import warnings

import pytest
import pytest_socket

from tests.e2e.home_assistant import HomeAssistant
from tests.e2e.loop_thread import LoopThread
from tests.e2e.processes import ManagedProcess, living_children, wait_until
from tests.e2e.side_servers import MqttBroker, ThreadedImageServer, mosquitto_path
from tests.e2e.ui import (
    CHROMIUM,
    CHROMIUM_ARGS,
    STEP_TIMEOUT_MS,
    VIEWPORT,
    Owner,
    Screens,
    onboard,
)
from tests.local_server import LOOPBACK

if TYPE_CHECKING:
    from playwright.sync_api import Page

ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS_SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
# Steps (Screens.shot names) whose screenshots the README shows, and their files.
DOCS_SCREENSHOT_STEPS = {
    "setup-form": "setup-form.png",
    "device-page": "device-page.png",
    "entity-dialog": "entity-page.png",
    "calendar-timeline": "calendar-timeline.png",
    "blueprint-form": "blueprint-form.png",
    "model-download": "model-download.png",
    "timeline-card": "timeline-card.png",
    "timeline-card-dialog": "timeline-card-dialog.png",
    "timeline-card-dark": "timeline-card-dark.png",
    "timeline-card-phone": "timeline-card-phone.png",
    "timeline-card-editor": "timeline-card-editor.png",
    "picture-card": "picture-cards.png",
}
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


# pytest-homeassistant-custom-component's harness, off for these tests ----------


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """No in-process `hass` here: the integration loads in the real one."""


@pytest.fixture(autouse=True)
def configure_event_loop() -> None:
    """No in-process event loop to configure."""


@pytest.fixture(autouse=True)
def enable_event_loop_debug() -> None:
    """No in-process event loop to debug."""


@pytest.fixture(autouse=True)
def verify_cleanup() -> None:
    """Its checks are for an in-process `hass`; `_no_leftover_processes` is ours."""


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup() -> None:
    """Allow sockets again before each fixture: these tests talk over loopback.

    The harness blocks sockets before every test's setup; pytest-socket's own
    `socket_enabled` fixture would come too late for the module fixtures.
    """
    pytest_socket.enable_socket()


# Reports and artifacts -----------------------------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, for `_artifacts_on_failure`."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """tests/e2e/artifacts, emptied: this run's screenshots and logs only."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def screens(artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Screens]:
    """Screenshots of the steps; with E2E_UPDATE_DOCS=1, a run where every test
    passed also refreshes the README's screenshots in docs/screenshots."""
    screens = Screens(artifacts)
    failures_before = request.session.testsfailed
    yield screens
    if os.environ.get("E2E_UPDATE_DOCS") != "1":
        return
    if request.session.testsfailed != failures_before:
        warnings.warn("E2E_UPDATE_DOCS: a test failed, docs not updated", stacklevel=1)
        return
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for step, name in DOCS_SCREENSHOT_STEPS.items():
        if step in screens.taken:
            shutil.copy(screens.taken[step], DOCS_SCREENSHOTS / name)


@pytest.fixture(autouse=True)
def _artifacts_on_failure(
    request: pytest.FixtureRequest, artifacts: Path
) -> Iterator[None]:
    """A failed test leaves its last screen and Home Assistant's log behind."""
    yield
    reports = request.node.stash.get(REPORTS, {})
    if not any(report.failed for report in reports.values()):
        return
    name = request.node.name
    # Only what the test got: a fixture that failed to set up has nothing to save.
    values: dict[str, Any] = getattr(request.node, "funcargs", {})
    page: Page | None = values.get("page")
    if page is not None:
        page.screenshot(path=str(artifacts / f"FAILED-{name}.png"))
    ha: HomeAssistant | None = values.get("onboarded") or values.get("home_assistant")
    if ha is not None and ha.log_path.exists():
        shutil.copy(ha.log_path, artifacts / f"FAILED-{name}-home-assistant.log")


# Processes -------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _no_leftover_processes() -> Iterator[None]:
    """Set up first, torn down last: every child process must be gone by then."""
    before = {process.pid for process in living_children()}
    yield
    leftovers: list[Any] = []

    def all_gone() -> bool:
        leftovers[:] = [p for p in living_children() if p.pid not in before]
        return not leftovers

    try:
        wait_until(all_gone, timeout=10, what="the e2e child processes to exit")
    except TimeoutError:
        for process in leftovers:
            process.kill()
        pytest.fail(f"processes left running after the e2e tests: {leftovers}")


@pytest.fixture(scope="module")
def e2e_tools() -> None:
    """Chromium, mosquitto and Playwright: missing is a failure in CI, a skip here."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium ({CHROMIUM})")
    if mosquitto_path() is None:
        missing.append("mosquitto")
    if importlib.util.find_spec("playwright") is None:
        missing.append("Python's playwright package")
    if not missing:
        return
    message = f"The e2e tests need {', '.join(missing)}: run scripts/e2e-deps."
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def loop_thread() -> Iterator[LoopThread]:
    loop = LoopThread()
    loop.start()
    yield loop
    loop.stop()


@pytest.fixture(scope="module")
def emulator(e2e_tools: None, work_dir: Path) -> Iterator[str]:
    """The Ollama emulator as its own process; yields its URL.

    It binds port 0 (a port the system picks) and prints the address it got."""
    argv = [sys.executable, "-m", "tests.ollama_emulator", "--host", LOOPBACK]
    # Downloads take long enough for the setup form to show their progress bar.
    argv += ["--pull-delay", "0.4", "--port", "0"]
    process = ManagedProcess(
        "Ollama emulator",
        argv,
        work_dir / "emulator.log",
        cwd=Path(__file__).parents[2],
    )
    process.start()
    try:
        banner = process.wait_for_output(r"listening on (http://\S+:(\d+))", 30)
        process.wait_for_port(int(banner[2]), timeout=30)
        yield banner[1]
    finally:
        process.stop(timeout=10)


@pytest.fixture(scope="module")
def images(e2e_tools: None, loop_thread: LoopThread) -> Iterator[ThreadedImageServer]:
    server = ThreadedImageServer(loop_thread)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mqtt_broker(e2e_tools: None, work_dir: Path) -> Iterator[MqttBroker]:
    broker = MqttBroker(work_dir)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
def home_assistant(
    e2e_tools: None, work_dir: Path, loop_thread: LoopThread, artifacts: Path
) -> Iterator[HomeAssistant]:
    """A fresh Home Assistant (not onboarded yet) with this integration."""
    ha = HomeAssistant(work_dir / "config", loop_thread)
    ha.start()
    yield ha
    ha.stop()
    ha.release_port()
    shutil.copy(ha.log_path, artifacts / "home-assistant.log")


@pytest.fixture(scope="module")
def page(e2e_tools: None, work_dir: Path) -> Iterator[Page]:
    """One headless Chromium tab, Debian's Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport=VIEWPORT)
        tab = context.new_page()
        tab.set_default_timeout(STEP_TIMEOUT_MS)
        yield tab
        context.close()
        browser.close()


@pytest.fixture(scope="module")
def owner() -> Owner:
    return Owner()


@pytest.fixture(scope="module")
def onboarded(
    home_assistant: HomeAssistant, page: Page, owner: Owner, screens: Screens
) -> HomeAssistant:
    """Onboarding done in the browser; the API client uses the browser's token."""
    home_assistant.token = onboard(page, home_assistant.url, owner, screens)
    wait_until(home_assistant.is_running, 60, "Home Assistant to finish starting")
    return home_assistant
