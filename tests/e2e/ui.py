"""What a person does in Home Assistant's frontend, as Playwright steps.

Playwright is imported only for type checking: the e2e fixtures import it once they
know it is installed, so a machine without it gets a clear message instead of a
collection error.
"""

from dataclasses import dataclass
import json
from pathlib import Path
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that reaches for the network: Chromium's background
# services would otherwise keep failing against this machine's closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 860}
STEP_TIMEOUT_MS = 20_000
SEARCH_ATTEMPTS = 4
SEARCH_WAIT_MS = 5_000


@dataclass(frozen=True)
class Owner:
    """The person created during onboarding."""

    name: str = "Test Person"
    username: str = "tester"
    password: str = "correct-horse-battery"


class Screens:
    """Numbered screenshots of each step, kept as test artifacts."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.taken: dict[str, Path] = {}

    def shot(self, page: Page, name: str) -> Path:
        """The page once icons and translations have arrived, without transitions."""
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        self.taken[name] = path
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(path), animations="disabled")
        return path


def onboard(page: Page, url: str, owner: Owner, screens: Screens) -> str:
    """Go through onboarding as a new owner; returns the frontend's access token."""
    page.goto(url)
    create_home = page.get_by_role("button", name="Create my smart home")
    create_home.wait_for()
    screens.shot(page, "onboarding-welcome")
    create_home.click()
    # The fields' labels live in other shadow roots than the inputs: use names.
    page.locator("input[name=name]").fill(owner.name)
    page.locator("input[name=username]").fill(owner.username)
    page.locator("input[name=password]").fill(owner.password)
    page.locator("input[name=password_confirm]").fill(owner.password)
    screens.shot(page, "onboarding-user")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Home location").wait_for()
    screens.shot(page, "onboarding-location")
    page.get_by_role("button", name="Next").click()
    page.get_by_text("know the country your home is in").wait_for()
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Help us help you").wait_for()
    screens.shot(page, "onboarding-analytics")
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Finish").click()
    page.wait_for_url("**/home/**")
    page.get_by_role("link", name="Settings").wait_for()
    screens.shot(page, "onboarding-done")
    tokens = page.evaluate("() => localStorage.getItem('hassTokens')")
    return str(json.loads(tokens)["access_token"])


def open_devices_and_services(page: Page) -> None:
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Devices & services").click()
    page.wait_for_url("**/config/integrations/dashboard")


def open_setup_form(page: Page, integration: str) -> None:
    """+ Add integration, search for the brand, pick it."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_role("button", name="Add integration").click()
    search = page.get_by_placeholder("Search for a brand name")
    # In the dialog: with a setup already there, its card on the page has the name too.
    result = page.locator("dialog-add-integration").get_by_text(integration, exact=True)
    # The first time, a search typed while the list still loads stays empty:
    # type it again until the list has caught up.
    for _ in range(SEARCH_ATTEMPTS):
        search.fill(integration)
        try:
            result.wait_for(timeout=SEARCH_WAIT_MS)
            break
        except PlaywrightTimeout:
            search.fill("")
    result.click()


def submit(page: Page) -> None:
    page.get_by_role("button", name="Submit").click()


def fill(page: Page, field: str, value: str) -> None:
    """A config flow field, by its key in the flow's schema (a line or several)."""
    page.locator(f":is(input, textarea)[name={field}]").fill(value)


def open_dropdown(page: Page, label: str) -> None:
    page.locator("ha-picker-field").and_(page.get_by_label(label)).click()


def type_option(page: Page, label: str, value: str) -> None:
    """Type a value of one's own into a dropdown that takes them."""
    open_dropdown(page, label)
    page.get_by_placeholder("Search | Add custom item").fill(value)
    # The list offers the typed text as its own item.
    page.get_by_text(value).last.click()


def pick_option(page: Page, option: str) -> None:
    """One of the options of the open dropdown."""
    page.get_by_text(option, exact=True).click()


def perform_action_yaml(
    page: Page, url: str, yaml: str, *, shows: str = "Response"
) -> None:
    """Developer tools > Actions in YAML mode: replace the editor's text, run it,
    wait until the page shows `shows` (the response, or an error's words)."""
    page.goto(f"{url}/developer-tools/action")
    page.get_by_role("button", name="YAML mode").click()
    editor = page.locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+A")
    # insert_text, unlike typing, leaves the editor's auto-indent out of it.
    page.keyboard.insert_text(yaml)
    page.get_by_role("button", name="Perform action").click()
    page.get_by_text(shows).first.wait_for()


def open_entity(page: Page, search: str, name: str) -> None:
    """Settings > Devices & services > Entities, search, open the entity's dialog."""
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Devices & services").click()
    # A tab up to Home Assistant 2026.10, a link in the tab bar from 2026.11.
    entities = page.get_by_role("tab", name="Entities")
    entities.or_(page.get_by_role("link", name="Entities", exact=True)).first.click()
    page.get_by_placeholder(re.compile(r"^Search \d+ entities$")).fill(search)
    page.get_by_text(name, exact=True).last.click()


def add_card_from_picker(page: Page, search: str, name: str) -> None:
    """Edit dashboard > Add card > By card, search, pick the card by its name:
    its editor opens (with a preview)."""
    page.get_by_role("button", name="Edit dashboard").click()
    page.get_by_role("button", name="Add card").first.click()
    page.get_by_role("tab", name="By card").click()
    page.get_by_placeholder("Search cards").fill(search)
    card = page.locator("hui-card-picker .card").filter(has_text=name)
    card.wait_for()
    # The picker lays a transparent overlay over each card's preview.
    card.locator(".overlay").click()


def save_card_and_finish_editing(page: Page) -> None:
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Done").click()
