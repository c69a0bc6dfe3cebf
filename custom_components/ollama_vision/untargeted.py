"""A repair issue for actions that leave the choice of setup to us.

With two setups or more, a call without `device_id` or `config_entry_id` goes
to the first, as the original did. That may not be the setup the user meant,
so it is said once, as a repair issue naming the setup used and, when Home
Assistant knows it, the automation or script that called.
"""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN

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
