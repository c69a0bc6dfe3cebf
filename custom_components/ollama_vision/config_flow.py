"""Config, reconfigure and re-authentication flows for Ollama Vision."""

import asyncio
from collections.abc import Mapping
from typing import Any, override

import probatio as vol

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowContext,
    ConfigFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import slugify

from .const import (
    CONF_TEXT_API_KEY,
    CONF_TEXT_HOST,
    CONF_TEXT_MODEL,
    CONF_TEXT_MODEL_ENABLED,
    CONF_VISION_API_KEY,
    CONF_VISION_HOST,
    CONF_VISION_MODEL,
    DEFAULT_TEXT_MODEL,
    DEFAULT_VISION_MODEL,
    DOMAIN,
)
from .entity import async_remove_text_model_entities
from .flow.fields import option_selector
from .flow.model_download import ModelDownload, ModelDownloadFlow
from .flow.server_check import (
    ServerProblem,
    fitting_models,
    model_selector,
    role_problem,
    server_problem,
)
from .ollama.catalogue import Catalogue, async_fetch_catalogue, shared_catalogue
from .ollama.client import (
    OllamaClient,
    OllamaError,
    OllamaModelNotFoundError,
    full_model_name,
    normalize_server_url,
)
from .ollama.target import split_addresses
from .options_flow import OllamaVisionOptionsFlow
from .settings import (
    DEFAULT_OPTIONS,
    TEXT_KEEPALIVE,
    VISION_KEEPALIVE,
    NumberOption,
    role_servers,
    server_address,
)

TEXT = TextSelector()
# One server address per line (or several on one line, separated by commas).
ADDRESSES = TextSelector(TextSelectorConfig(multiline=True))
# One key for every address, or one per address separated by commas: the
# frontend's multi-line box ignores the password type and shows keys in clear.
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
# The options a new setup's models form asks for (the options form has them all).
KEEPALIVES = (VISION_KEEPALIVE, TEXT_KEEPALIVE)


def _filled(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without empty text (an emptied field means "none")."""
    return {
        key: value.strip() if isinstance(value, str) else value
        for key, value in user_input.items()
        if not (isinstance(value, str) and not value.strip())
    }


class OllamaVisionConfigFlow(
    ModelDownloadFlow[ConfigFlowContext, ConfigFlowResult], ConfigFlow, domain=DOMAIN
):
    """Add or change a setup: its server, its text model's server, then the models.

    Setups have no unique id: what must not repeat is the name, and the name is
    the entry's title, which the user can rename; so the check reads the titles.
    """

    VERSION = 1
    MINOR_VERSION = 3

    def __init__(self) -> None:
        """Start with nothing entered."""
        super().__init__()
        self._servers: dict[str, Any] = {}
        # Each server's models, asked once per flow.
        self._catalogues: dict[tuple[str, str | None], Catalogue] = {}
        # The models form's answers while its missing models download.
        self._models_input: dict[str, Any] = {}

    @staticmethod
    @callback
    @override
    def async_get_options_flow(
        config_entry: ConfigEntry[Any],
    ) -> OllamaVisionOptionsFlow:
        """The options flow of a setup."""
        return OllamaVisionOptionsFlow()

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the setup and say where its vision model runs."""
        return await self._async_servers_step("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the servers (and then the models) of a setup."""
        return await self._async_servers_step("reconfigure", user_input)

    async def async_step_text_server(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where the text model runs; only asked when the text model is on."""
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            servers = {**self._servers, **_filled(user_input)}
            if await self._async_role_answers(servers, errors, placeholders, text=True):
                self._servers = servers
                return await self.async_step_models()
        schema = vol.Schema(
            {
                vol.Optional(CONF_TEXT_HOST): ADDRESSES,
                vol.Optional(CONF_TEXT_API_KEY): PASSWORD,
            }
        )
        return self.async_show_form(
            step_id="text_server",
            data_schema=self.add_suggested_values_to_schema(
                schema, self._suggested(user_input)
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_models(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the models from what the servers have."""
        text_enabled = bool(self._servers.get(CONF_TEXT_MODEL_ENABLED))
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            for keep_alive in KEEPALIVES:
                value = user_input.get(keep_alive.key)
                if value is not None and not keep_alive.fits(value):
                    errors[keep_alive.key] = keep_alive.range_error
            missing: list[str] = []
            chosen = await self._async_check_models(
                user_input, text_enabled, errors, placeholders, missing
            )
            if missing and not errors:
                # Names the server does not have: it downloads them first.
                self._models_input = user_input
                return await self._async_start_downloads(
                    [
                        ModelDownload(key, chosen[key], url, api_key)
                        for key in missing
                        for url, api_key in self._lacking(
                            chosen[key], text=key == CONF_TEXT_MODEL
                        )
                        or self._role_servers(text=key == CONF_TEXT_MODEL)
                    ],
                )
            if not errors and not missing:
                return self._async_finish(user_input, chosen)
        return await self._async_show_models_form(
            user_input or {}, errors, placeholders
        )

    async def _async_show_models_form(
        self,
        user_input: dict[str, Any],
        errors: dict[str, str],
        placeholders: dict[str, str],
    ) -> ConfigFlowResult:
        """The models form: the servers' fitting models, as the user left it."""
        text_enabled = bool(self._servers.get(CONF_TEXT_MODEL_ENABLED))
        reconfiguring = self.source == SOURCE_RECONFIGURE
        current: dict[str, Any] = (
            dict(self._get_reconfigure_entry().data) if reconfiguring else {}
        )
        fields: dict[vol.Marker, Any] = {
            vol.Required(
                CONF_VISION_MODEL,
                default=current.get(
                    CONF_VISION_MODEL, full_model_name(DEFAULT_VISION_MODEL)
                ),
            ): model_selector(self._fitting_models(text=False)),
        }
        if not reconfiguring:
            fields |= _keep_alive_field(VISION_KEEPALIVE)
        if text_enabled:
            fields[
                vol.Required(
                    CONF_TEXT_MODEL,
                    default=current.get(
                        CONF_TEXT_MODEL, full_model_name(DEFAULT_TEXT_MODEL)
                    ),
                )
            ] = model_selector(self._fitting_models(text=True))
            if not reconfiguring:
                fields |= _keep_alive_field(TEXT_KEEPALIVE)
        schema = vol.Schema(fields)
        if user_input:
            schema = self.add_suggested_values_to_schema(schema, user_input)
        return self.async_show_form(
            step_id="models",
            data_schema=schema,
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """A server refused the setup's key."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the key(s), check them, save and reload."""
        entry = self._get_reauth_entry()
        separate_text = _has_own_text_server(entry.data)
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"name": entry.title}
        if user_input is not None:
            keys = _filled(user_input)
            data = {
                k: v
                for k, v in entry.data.items()
                if k not in (CONF_VISION_API_KEY, CONF_TEXT_API_KEY)
            } | keys
            roles = [(False, CONF_VISION_API_KEY)]
            if data.get(CONF_TEXT_MODEL_ENABLED):
                roles.append((True, CONF_TEXT_API_KEY))
            for text, own_field in roles:
                # On one server, one key serves both: show it on that field.
                field = own_field if separate_text else CONF_VISION_API_KEY
                if not _keys_fit(data, field, errors, text=text):
                    break
                problem = await self._async_check_server(data, text=text)
                if problem is not None:
                    errors[field] = problem.error
                    placeholders |= problem.placeholders
                    break
            else:
                return self.async_update_reload_and_abort(entry, data=data)
        fields: dict[vol.Marker, Any] = {vol.Optional(CONF_VISION_API_KEY): PASSWORD}
        if separate_text:
            fields[vol.Optional(CONF_TEXT_API_KEY)] = PASSWORD
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(fields),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_servers_step(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """The first page: (name,) vision server, key, and the text model switch."""
        with_name = step_id == "user"
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {}
        if user_input is not None:
            servers = _filled(user_input)
            if with_name:
                servers[CONF_NAME] = name = servers.get(CONF_NAME, "")
                if not name:
                    errors[CONF_NAME] = "name_required"
                elif self._name_taken(name):
                    errors[CONF_NAME] = "name_in_use"
            if not errors and await self._async_role_answers(
                servers, errors, placeholders, text=False
            ):
                return await self._async_servers_done(servers)

        fields: dict[vol.Marker, Any] = {}
        if with_name:
            fields[vol.Required(CONF_NAME)] = TEXT
        fields.update(
            {
                vol.Required(CONF_VISION_HOST): ADDRESSES,
                vol.Optional(CONF_VISION_API_KEY): PASSWORD,
                vol.Required(CONF_TEXT_MODEL_ENABLED, default=False): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), self._suggested(user_input)
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _async_servers_done(self, servers: dict[str, Any]) -> ConfigFlowResult:
        """Go on to the text model's server, or straight to the models."""
        self._servers = servers
        if servers.get(CONF_TEXT_MODEL_ENABLED):
            return await self.async_step_text_server()
        return await self.async_step_models()

    def _name_taken(self, name: str) -> bool:
        """Whether a setup's current title makes the same entity ids."""
        slug = slugify(name)
        return any(
            slugify(entry.title) == slug
            for entry in self._async_current_entries(include_ignore=False)
        )

    @staticmethod
    def _normalize(servers: dict[str, Any], key: str, errors: dict[str, str]) -> bool:
        """Turn the typed addresses into base URLs, one per line, each once.

        True when one is not an address.
        """
        if key not in servers:
            return False
        try:
            urls = [normalize_server_url(url) for url in split_addresses(servers[key])]
        except ValueError:
            errors[key] = "invalid_host"
            return True
        servers[key] = "\n".join(dict.fromkeys(urls))
        return False

    def _suggested(self, user_input: dict[str, Any] | None) -> Mapping[str, Any]:
        """What a servers form shows: the answer given, or the setup's own data
        when it is being reconfigured."""
        if user_input is not None:
            return user_input
        if self.source == SOURCE_RECONFIGURE:
            return self._get_reconfigure_entry().data
        return {}

    async def _async_role_answers(
        self,
        servers: dict[str, Any],
        errors: dict[str, str],
        placeholders: dict[str, str],
        *,
        text: bool,
    ) -> bool:
        """Whether the vision (or text) addresses are addresses, the keys fit
        them and every server answers; else the errors say what is wrong."""
        host, key = (
            (CONF_TEXT_HOST, CONF_TEXT_API_KEY)
            if text
            else (CONF_VISION_HOST, CONF_VISION_API_KEY)
        )
        if self._normalize(servers, host, errors) or not _keys_fit(
            servers, key, errors, text=text
        ):
            return False
        problem = await self._async_check_server(servers, text=text)
        if problem is not None:
            errors[host] = problem.error
            placeholders |= problem.placeholders
        return problem is None

    async def _async_check_server(
        self, servers: Mapping[str, Any], *, text: bool
    ) -> ServerProblem | None:
        """Fetch each server's models (once per flow); the first problem, if any."""
        for url, api_key in role_servers(servers, text=text):
            if (url, api_key) in self._catalogues:
                continue
            try:
                catalogue = await async_fetch_catalogue(self._client(url, api_key))
            except Exception as err:  # server_problem names it, or logs a bug
                return server_problem(err, url)
            self._catalogues[url, api_key] = catalogue
        return None

    def _fitting_models(self, *, text: bool) -> list[str]:
        """The models of a role's job that every server of it has: only those
        can take any job."""
        shared = shared_catalogue(
            [self._catalogues[server] for server in self._role_servers(text=text)]
        )
        return fitting_models(shared, text=text)

    def _lacking(self, name: str, *, text: bool) -> list[tuple[str, str | None]]:
        """The servers of a role that do not have the model (with their keys)."""
        return [
            server
            for server in self._role_servers(text=text)
            if name not in self._catalogues[server].info
        ]

    async def _async_check_models(
        self,
        user_input: dict[str, Any],
        text_enabled: bool,
        errors: dict[str, str],
        placeholders: dict[str, str],
        missing: list[str],
    ) -> dict[str, str]:
        """Check both chosen models at once; fill in every error and the fields
        whose model the server does not have; return the full names."""
        roles = [(CONF_VISION_MODEL, False)]
        if text_enabled:
            roles.append((CONF_TEXT_MODEL, True))
        names = {key: full_model_name(str(user_input[key])) for key, _ in roles}
        answers = await asyncio.gather(
            *(
                self._first_client(text=text).async_model_info(names[key])
                for key, text in roles
            ),
            return_exceptions=True,
        )
        for (key, text), answer in zip(roles, answers, strict=True):
            placeholders[key] = names[key]
            if isinstance(answer, OllamaModelNotFoundError):
                # The first server lacks it: the servers without it download it.
                missing.append(key)
            elif isinstance(answer, Exception):
                problem = server_problem(answer, self._first_client(text=text).base_url)
                errors["base"] = problem.error
                placeholders |= problem.placeholders
            elif isinstance(answer, BaseException):  # pragma: no cover - not ours
                raise answer
            elif (unfit := role_problem(answer, text=text)) is not None:
                errors[key] = unfit
            elif self._lacking(names[key], text=text):
                # Any server may get a job: those without the model download it.
                missing.append(key)
        return names

    def _first_client(self, *, text: bool) -> OllamaClient:
        """The first server of a role: it tells what a model can do."""
        return self._client(*self._role_servers(text=text)[0])

    def _client(self, url: str, api_key: str | None) -> OllamaClient:
        return OllamaClient(async_get_clientsession(self.hass), url, api_key)

    def _role_servers(self, *, text: bool) -> list[tuple[str, str | None]]:
        """Every server of the vision (or text) role, with its key."""
        return role_servers(self._servers, text=text)

    @override
    def _download_client(self, download: ModelDownload) -> OllamaClient:
        return self._client(download.url, download.api_key)

    @override
    async def _async_downloads_done(self) -> ConfigFlowResult:
        """Check the chosen models again, and go on."""
        return await self.async_step_models(self._models_input)

    @override
    async def _async_download_failed(
        self, download: ModelDownload, reason: str
    ) -> ConfigFlowResult:
        """Back to the models form, saying why the download failed."""
        return await self._async_show_models_form(
            self._models_input,
            {download.field: "download_failed"},
            {"model": download.model, "reason": reason},
        )

    @override
    async def _async_downloaded(self, download: ModelDownload) -> None:
        """Ask the server for its models again, so the form's list has the new one."""
        key = (download.url, download.api_key)
        try:
            catalogue = await async_fetch_catalogue(self._download_client(download))
        except (
            OllamaError
        ):  # pragma: no cover - the old list serves till the next check
            return
        self._catalogues[key] = catalogue

    @callback
    def _async_finish(
        self, user_input: dict[str, Any], chosen: dict[str, str]
    ) -> ConfigFlowResult:
        data = {**self._servers, **chosen}
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            data[CONF_NAME] = entry.data[CONF_NAME]
            if not data.get(CONF_TEXT_MODEL_ENABLED):
                async_remove_text_model_entities(self.hass, entry.entry_id)
            return self.async_update_reload_and_abort(entry, data=data)
        options = {
            **DEFAULT_OPTIONS,
            **{
                keep_alive.key: keep_alive.stored(user_input[keep_alive.key])
                for keep_alive in KEEPALIVES
                if keep_alive.key in user_input
            },
        }
        return self.async_create_entry(
            title=data[CONF_NAME], data=data, options=options
        )


def _keep_alive_field(keep_alive: NumberOption) -> dict[vol.Marker, Any]:
    """A keep-alive on the models form, starting from its default."""
    return {
        vol.Required(keep_alive.key, default=keep_alive.default): option_selector(
            keep_alive
        )
    }


def _has_own_text_server(data: Mapping[str, Any]) -> bool:
    """Whether the text model runs on a server of its own (with its own key)."""
    return bool(data.get(CONF_TEXT_MODEL_ENABLED)) and (
        server_address(data, text=True)[0] != server_address(data, text=False)[0]
    )


def _keys_fit(
    servers: Mapping[str, Any], field: str, errors: dict[str, str], *, text: bool
) -> bool:
    """Whether the API keys fit the addresses: one for all, or one for each."""
    try:
        role_servers(servers, text=text)
    except ValueError:
        errors[field] = "api_key_count"
        return False
    return True
