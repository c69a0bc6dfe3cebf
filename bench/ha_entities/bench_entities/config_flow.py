"""One setup, made without a form."""

from typing import Any, override

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult

from . import DOMAIN


class BenchEntitiesFlow(ConfigFlow, domain=DOMAIN):
    """Creates the setup at once."""

    VERSION = 1

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The setup, as the bench asks for it."""
        return self.async_create_entry(title="Bench", data={})
