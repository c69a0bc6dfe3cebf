"""Config, reconfigure and options flows for Ollama Vision."""

from __future__ import annotations

import logging
from typing import Any

import probatio as vol

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import slugify

from .client import (
    OllamaAuthError,
    OllamaClient,
    OllamaError,
    OllamaModelNotFoundError,
    full_model_name,
    normalize_server_url,
)
from .const import (
    CONF_CONCURRENCY,
    CONF_DEFAULT_PROMPT,
    CONF_DEFAULT_TEXT_PROMPT,
    CONF_FETCH_TIMEOUT,
    CONF_MAX_IMAGE_BYTES,
    CONF_MAX_IMAGE_EDGE,
    CONF_QUEUE_SIZE,
    CONF_TEXT_API_KEY,
    CONF_TEXT_HOST,
    CONF_TEXT_KEEPALIVE,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_TEXT_TIMEOUT,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
    CONF_VISION_KEEPALIVE,
    CONF_VISION_MODEL,
    CONF_VISION_TIMEOUT,
    DEFAULT_KEEPALIVE,
    DEFAULT_TEXT_MODEL,
    DEFAULT_VISION_MODEL,
    DESCRIPTION_MARKER_PLACEHOLDERS,
    DOMAIN,
)
from .redact import redact_credentials
from .settings import DEFAULT_OPTIONS, server_address

_LOGGER = logging.getLogger(__name__)

TEXT = TextSelector()
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
MULTILINE = TextSelector(TextSelectorConfig(multiline=True))


def _number(minimum: float, maximum: float, unit: str | None = None) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            mode=NumberSelectorMode.BOX,
            **({"unit_of_measurement": unit} if unit else {}),
        )
    )


# Seconds a server keeps a model loaded after a request; -1 keeps it loaded.
KEEPALIVE = _number(-1, 604800, "s")


def _servers_schema(with_name: bool) -> vol.Schema:
    """Where the models run; the name only when a setup is first made."""
    fields: dict[vol.Marker, Any] = {}
    if with_name:
        fields[vol.Required(CONF_NAME)] = TEXT
    fields.update(
        {
            vol.Required(CONF_VISION_HOST): TEXT,
            vol.Optional(CONF_VISION_API_KEY): PASSWORD,
            vol.Required(CONF_TEXT_MODEL_ENABLED, default=False): BooleanSelector(),
            vol.Optional(CONF_TEXT_HOST): TEXT,
            vol.Optional(CONF_TEXT_API_KEY): PASSWORD,
        }
    )
    return vol.Schema(fields)


def _model_selector(models: list[str]) -> SelectSelector:
    """The server's models as a dropdown that also takes a typed name."""
    return SelectSelector(
        SelectSelectorConfig(
            options=models,
            custom_value=True,
            mode=SelectSelectorMode.DROPDOWN,
            sort=True,
        )
    )


class _ModelCheckError(Exception):
    """A chosen model failed a check; `field` and `error` go to the form."""

    def __init__(self, field: str, error: str) -> None:
        super().__init__(error)
        self.field = field
        self.error = error


class OllamaVisionConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add or change an Ollama Vision setup: servers first, then models."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing entered."""
        self._servers: dict[str, Any] = {}
        self._vision_models: list[str] = []
        self._text_models: list[str] = []

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: ConfigEntry[Any],
    ) -> OllamaVisionOptionsFlow:
        """The options flow of a setup."""
        return OllamaVisionOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the setup and say where its servers are."""
        return await self._async_servers_step("user", user_input, with_name=True)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the servers (and then the models) of a setup."""
        return await self._async_servers_step(
            "reconfigure", user_input, with_name=False
        )

    async def async_step_models(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the models from what the servers have."""
        text_enabled = bool(self._servers.get(CONF_TEXT_MODEL_ENABLED))
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                chosen = await self._async_check_models(user_input, text_enabled)
            except _ModelCheckError as err:
                errors[err.field] = err.error
            except OllamaError as err:
                _LOGGER.warning("Could not check the models: %s", err)
                errors["base"] = "cannot_connect"
            except Exception:
                _LOGGER.exception("Unexpected error while checking the models")
                errors["base"] = "unknown"
            else:
                return self._async_finish(user_input, chosen)

        reconfiguring = self.source == "reconfigure"
        current: dict[str, Any] = (
            dict(self._get_reconfigure_entry().data) if reconfiguring else {}
        )
        fields: dict[vol.Marker, Any] = {
            vol.Required(
                CONF_VISION_MODEL,
                default=current.get(
                    CONF_VISION_MODEL, full_model_name(DEFAULT_VISION_MODEL)
                ),
            ): _model_selector(self._vision_models),
        }
        if not reconfiguring:
            fields[vol.Required(CONF_VISION_KEEPALIVE, default=DEFAULT_KEEPALIVE)] = (
                KEEPALIVE
            )
        if text_enabled:
            fields[
                vol.Required(
                    CONF_TEXT_MODEL,
                    default=current.get(
                        CONF_TEXT_MODEL, full_model_name(DEFAULT_TEXT_MODEL)
                    ),
                )
            ] = _model_selector(self._text_models)
            if not reconfiguring:
                fields[vol.Required(CONF_TEXT_KEEPALIVE, default=DEFAULT_KEEPALIVE)] = (
                    KEEPALIVE
                )
        schema = vol.Schema(fields)
        if user_input is not None:
            schema = self.add_suggested_values_to_schema(schema, user_input)
        return self.async_show_form(step_id="models", data_schema=schema, errors=errors)

    async def _async_servers_step(
        self, step_id: str, user_input: dict[str, Any] | None, *, with_name: bool
    ) -> ConfigFlowResult:
        errors: dict[str, str] = {}
        if user_input is not None:
            servers = {key: value for key, value in user_input.items() if value != ""}
            if with_name:
                servers[CONF_NAME] = servers.get(CONF_NAME, "").strip()
                if not servers[CONF_NAME]:
                    errors[CONF_NAME] = "name_required"
                else:
                    await self.async_set_unique_id(slugify(servers[CONF_NAME]))
                    if self.unique_id in self._async_current_ids(include_ignore=False):
                        errors[CONF_NAME] = "name_in_use"
            if not errors:
                errors = await self._async_check_servers(servers)
            if not errors:
                self._servers = servers
                return await self.async_step_models()

        schema = _servers_schema(with_name)
        suggested = user_input
        if suggested is None and step_id == "reconfigure":
            suggested = dict(self._get_reconfigure_entry().data)
        if suggested is not None:
            schema = self.add_suggested_values_to_schema(schema, suggested)
        return self.async_show_form(step_id=step_id, data_schema=schema, errors=errors)

    async def _async_check_servers(self, servers: dict[str, Any]) -> dict[str, str]:
        """Normalise the addresses and fetch each server's model list."""
        host_keys = [CONF_VISION_HOST]
        if servers.get(CONF_TEXT_MODEL_ENABLED):
            host_keys.append(CONF_TEXT_HOST)
        else:
            for key in (CONF_TEXT_HOST, CONF_TEXT_API_KEY):
                servers.pop(key, None)
        errors: dict[str, str] = {}
        for host_key in host_keys:
            if host_key in servers:
                try:
                    servers[host_key] = normalize_server_url(servers[host_key])
                except ValueError:
                    errors[host_key] = "invalid_host"
        if errors:
            return errors
        for host_key in host_keys:
            text = host_key == CONF_TEXT_HOST
            url, api_key = server_address(servers, text=text)
            try:
                models = await self._client(url, api_key).async_list_models()
            except OllamaAuthError:
                errors[host_key] = "invalid_auth"
            except OllamaError as err:
                _LOGGER.debug("Cannot connect to %s: %s", redact_credentials(url), err)
                errors[host_key] = "cannot_connect"
            except Exception:
                _LOGGER.exception("Unexpected error while connecting to %s", url)
                errors["base"] = "unknown"
            else:
                if text:
                    self._text_models = models
                else:
                    self._vision_models = models
        return errors

    async def _async_check_models(
        self, user_input: dict[str, Any], text_enabled: bool
    ) -> dict[str, str]:
        """Check each chosen model exists and can do its job; return full names."""
        chosen: dict[str, str] = {}
        checks = [(CONF_VISION_MODEL, False, self._vision_models)]
        if text_enabled:
            checks.append((CONF_TEXT_MODEL, True, self._text_models))
        for model_key, text, available in checks:
            name = full_model_name(str(user_input[model_key]))
            if name not in available:
                raise _ModelCheckError(model_key, "model_not_found")
            client = self._client(*server_address(self._servers, text=text))
            try:
                info = await client.async_model_info(name)
            except OllamaModelNotFoundError as err:
                raise _ModelCheckError(model_key, "model_not_found") from err
            if model_key == CONF_VISION_MODEL and not info.vision:
                raise _ModelCheckError(model_key, "model_not_vision")
            if model_key == CONF_TEXT_MODEL and not info.completion:
                raise _ModelCheckError(model_key, "model_not_text")
            chosen[model_key] = name
        return chosen

    def _client(self, url: str, api_key: str | None) -> OllamaClient:
        return OllamaClient(async_get_clientsession(self.hass), url, api_key)

    @callback
    def _async_finish(
        self, user_input: dict[str, Any], chosen: dict[str, str]
    ) -> ConfigFlowResult:
        data = {**self._servers, **chosen}
        if self.source == "reconfigure":
            entry = self._get_reconfigure_entry()
            data[CONF_NAME] = entry.data[CONF_NAME]
            return self.async_update_reload_and_abort(entry, data=data)
        options = {
            **DEFAULT_OPTIONS,
            CONF_VISION_KEEPALIVE: int(user_input[CONF_VISION_KEEPALIVE]),
            CONF_TEXT_KEEPALIVE: int(
                user_input.get(CONF_TEXT_KEEPALIVE, DEFAULT_KEEPALIVE)
            ),
        }
        return self.async_create_entry(
            title=data[CONF_NAME], data=data, options=options
        )


class OllamaVisionOptionsFlow(OptionsFlowWithReload):
    """Tune a setup; the setup reloads with the new values when saved."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Keep-alives, default prompts, time limits, queue and image size."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    key: int(value) if isinstance(value, float) else value
                    for key, value in user_input.items()
                }
            )
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_VISION_KEEPALIVE): KEEPALIVE,
        }
        if self.config_entry.data.get(CONF_TEXT_MODEL_ENABLED):
            fields[vol.Required(CONF_TEXT_KEEPALIVE)] = KEEPALIVE
        fields.update(
            {
                vol.Required(CONF_DEFAULT_PROMPT): MULTILINE,
                vol.Required(CONF_DEFAULT_TEXT_PROMPT): MULTILINE,
                vol.Required(CONF_FETCH_TIMEOUT): _number(1, 600, "s"),
                vol.Required(CONF_VISION_TIMEOUT): _number(5, 3600, "s"),
                vol.Required(CONF_TEXT_TIMEOUT): _number(5, 3600, "s"),
                vol.Required(CONF_CONCURRENCY): _number(1, 16),
                vol.Required(CONF_QUEUE_SIZE): _number(1, 1000),
                vol.Required(CONF_MAX_IMAGE_EDGE): _number(0, 8192, "px"),
                vol.Required(CONF_MAX_IMAGE_BYTES): _number(1, 200, "MB"),
            }
        )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), {**DEFAULT_OPTIONS, **self.config_entry.options}
            ),
            description_placeholders=DESCRIPTION_MARKER_PLACEHOLDERS,
        )
