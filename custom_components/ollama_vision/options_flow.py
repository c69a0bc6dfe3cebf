"""The options flow: a setup's prompts, time limits, queue and image limits."""

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload

from .const import CONF_TEXT_MODEL_ENABLED, DESCRIPTION_MARKER_PLACEHOLDERS
from .flow.fields import flatten, nest, sectioned_schema, shown_options


class OllamaVisionOptionsFlow(OptionsFlowWithReload):
    """Tune a setup; the setup reloads with the new values when saved."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """One form, grouped in sections; stored flat."""
        entry = self.config_entry
        options = shown_options(
            text_model=bool(entry.data.get(CONF_TEXT_MODEL_ENABLED))
        )
        errors: dict[str, str] = {}
        if user_input is not None:
            changed, errors = flatten(options, user_input)
            if not errors:
                # Options the form does not show (a text model's, while it is
                # off) keep their values for when they come back; those it
                # shows are what it answered (a prompt set back to the built-in
                # one is no longer stored).
                shown = {option.key for option in options}
                kept = {k: v for k, v in entry.options.items() if k not in shown}
                return self.async_create_entry(data={**kept, **changed})
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                sectioned_schema(options),
                user_input if user_input is not None else nest(options, entry.options),
            ),
            errors=errors,
            description_placeholders={
                "name": entry.title,
                **DESCRIPTION_MARKER_PLACEHOLDERS,
            },
        )
