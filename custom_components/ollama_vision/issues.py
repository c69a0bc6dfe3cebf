"""Repair issues: raised where the user can act, withdrawn once things are fixed.

A setup's own, checked on every server poll:
- the configured model vanished from a server (`ollama rm`, a renamed tag):
  every analysis there fails until the model is pulled again or another model
  is chosen; repairs.py holds the fix flow that offers both;
- a server has not answered for more than SERVER_DOWN_AFTER: a blip is only
  logged and shown by the connectivity sensor, a long outage is worth a repair.
Each goes away by itself on the first poll that finds things fixed.

And one for actions that leave the choice of setup to us: with two setups or
more, a call without `device_id` or `config_entry_id` goes to the first, as the
original did. That may not be the setup the user meant, so it is said once,
naming the setup used and, when Home Assistant knows it, the automation or
script that called.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .ollama.client import OllamaClient, OllamaError

if TYPE_CHECKING:
    from .runtime import OllamaVisionConfigEntry

_LOGGER = logging.getLogger(__name__)

ISSUE_ID = "untargeted_call"
# Entities whose runs call actions with their own context.
CALLER_DOMAINS = ("automation", "script")


@callback
def calling_entities(hass: HomeAssistant, context: Context) -> list[str]:
    """The automations and scripts whose current run made a call.

    An automation run and the scripts it starts write their state with the
    run's context, and the actions they call carry that same context.
    """
    return [
        f"{state.name} ({state.entity_id})"
        for domain in CALLER_DOMAINS
        for state in hass.states.async_all(domain)
        if state.context.id == context.id
    ]


@callback
def async_report_untargeted_call(
    hass: HomeAssistant, context: Context, used: ConfigEntry, loaded: int
) -> None:
    """Raise the issue, unless it is already raised (or was dismissed)."""
    if ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None:
        return
    placeholders = {"setup": used.title, "count": str(loaded)}
    translation_key = ISSUE_ID
    if callers := calling_entities(hass, context):
        placeholders["caller"] = ", ".join(callers)
        translation_key = f"{ISSUE_ID}_by_caller"
    _LOGGER.warning(
        "analyze_image was called without device_id or config_entry_id while "
        "%d setups are loaded; the first, %s, answers. Called by: %s",
        loaded,
        used.title,
        placeholders.get("caller", "-"),
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_ID,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=translation_key,
        translation_placeholders=placeholders,
    )


@callback
def async_clear_untargeted_call(hass: HomeAssistant) -> None:
    """The user targets a setup now (or only one is left): the issue is over."""
    ir.async_delete_issue(hass, DOMAIN, ISSUE_ID)


SERVER_DOWN_AFTER = timedelta(minutes=10)
VISION = "vision"
TEXT = "text"
# Translation keys: one per role, so no English word goes in as a placeholder.
MODEL_MISSING = "{role}_model_missing"
SERVER_DOWN = "{role}_server_unreachable"


@dataclass(slots=True)
class _Watched:
    """A model the setup uses, on the servers that run it."""

    role: str
    clients: list[OllamaClient]
    model: str
    # When each server (by address) stopped answering.
    down_since: dict[str, datetime] = field(default_factory=dict)


def _issue_id(kind: str, entry_id: str, role: str) -> str:
    return f"{kind.format(role=role)}_{entry_id}"


class SetupIssues:
    """Raises and clears one setup's repair issues from the results of its polls."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: OllamaVisionConfigEntry,
        vision: tuple[list[OllamaClient], str],
        text: tuple[list[OllamaClient], str] | None,
    ) -> None:
        """Watch the vision model and, when there is one, the text model."""
        self._hass = hass
        self._entry = entry
        self._watched = [_Watched(VISION, *vision)]
        if text is not None:
            self._watched.append(_Watched(TEXT, *text))
        # The issues belong to the running setup: gone when it unloads or is removed.
        entry.async_on_unload(self.async_clear)

    async def async_update(self, reachable: dict[OllamaClient, bool]) -> None:
        """Take in which servers answered this poll, then check their models."""
        now = dt_util.utcnow()
        listings: dict[str, asyncio.Task[list[str] | None]] = {}
        for watched in self._watched:
            for client in watched.clients:
                url = client.base_url
                if not reachable.get(client, False):
                    watched.down_since.setdefault(url, now)
                    continue
                watched.down_since.pop(url, None)
                # One /api/tags per server, even when both models live on it.
                if url not in listings:
                    listings[url] = self._hass.async_create_task(
                        _models_on(client), eager_start=True
                    )
            self._server_issue(
                watched,
                [
                    client
                    for client in watched.clients
                    if now - watched.down_since.get(client.base_url, now)
                    > SERVER_DOWN_AFTER
                ],
            )
        for watched in self._watched:
            lacking: list[OllamaClient] = []
            for client in watched.clients:
                if (task := listings.get(client.base_url)) is None:
                    continue
                models = await task
                if models is not None and watched.model not in models:
                    lacking.append(client)
            self._model_issue(watched, lacking)

    def _server_issue(
        self, watched: _Watched, down_for_long: list[OllamaClient]
    ) -> None:
        """One issue per model, naming each of its servers down for long."""
        self._set_issue(
            SERVER_DOWN,
            watched,
            down_for_long,
            {"minutes": str(int(SERVER_DOWN_AFTER.total_seconds() // 60))},
        )

    def _model_issue(self, watched: _Watched, missing: list[OllamaClient]) -> None:
        """One issue per model, naming each server that lacks it; fixable."""
        self._set_issue(
            MODEL_MISSING,
            watched,
            missing,
            {"model": watched.model},
            data={"entry_id": self._entry.entry_id, "role": watched.role},
        )

    def _set_issue(
        self,
        kind: str,
        watched: _Watched,
        servers: list[OllamaClient],
        placeholders: dict[str, str],
        data: dict[str, str | int | float | None] | None = None,
    ) -> None:
        """Raise the issue of `kind` naming `servers`, or withdraw it if none.

        An issue with data has a fix flow (it tells the flow what to fix).
        """
        issue_id = _issue_id(kind, self._entry.entry_id, watched.role)
        if not servers:
            ir.async_delete_issue(self._hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            issue_id,
            is_fixable=data is not None,
            severity=ir.IssueSeverity.ERROR,
            translation_key=kind.format(role=watched.role),
            translation_placeholders={
                "name": self._entry.title,
                "host": hosts_of(servers),
                **placeholders,
            },
            data=data,
        )

    @callback
    def async_clear(self) -> None:
        """Withdraw every issue of the setup."""
        for watched in self._watched:
            for kind in (SERVER_DOWN, MODEL_MISSING):
                ir.async_delete_issue(
                    self._hass,
                    DOMAIN,
                    _issue_id(kind, self._entry.entry_id, watched.role),
                )


def hosts_of(clients: list[OllamaClient]) -> str:
    return ", ".join(client.host for client in clients)


async def _models_on(client: OllamaClient) -> list[str] | None:
    """The server's models; None when it stopped answering since the version check."""
    try:
        return await client.async_list_models()
    except OllamaError:
        return None
