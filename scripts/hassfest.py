"""Offline stand-in for hassfest: the checks core's validator runs on a custom integration.

GitHub's Validate workflow runs the real thing (home-assistant/actions/hassfest),
which needs a checkout of Home Assistant core from GitHub. Our test machines reach
only PyPI, Debian and npm, and core's `script/hassfest` is not published there, so
`scripts/test` runs this script instead. It repeats, with the installed
`homeassistant` package's own validators (`config_validation`, `selector`, YAML
loader) and its own code, the checks hassfest makes on
`--integration-path custom_components/<domain>`:

  json, manifest, config_flow, config_schema, dependencies, services, icons,
  translations

and adds three that hassfest makes only for core integrations or that HACS makes:
quality_scale (quality_scale.yaml lists every rule), brand (the brand images exist
with the right sizes) and hacs (LICENSE and hacs.json at the repository root).

Translations are checked in every language, not only English: the same string
rules apply to text the frontend shows in Norwegian or Portuguese.

Exit status 0 when everything passes, 1 with one line per problem otherwise.
"""

# Home Assistant swaps voluptuous for probatio when it is imported: first, then.
import homeassistant  # isort: split

import argparse
import ast
from collections.abc import Callable, Iterator
import json
from pathlib import Path
import re
import string
import sys
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from PIL import Image
import voluptuous as vol
from voluptuous.humanize import humanize_error

from homeassistant.const import Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv, selector
from homeassistant.util.yaml import load_yaml_dict

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INTEGRATION = REPO / "custom_components" / "ollama_vision"
CORE_COMPONENTS = Path(homeassistant.__file__).parent / "components"

# The rules of the Integration Quality Scale, as core's hassfest lists them.
QUALITY_SCALE_RULES = (
    # Bronze
    "action-setup",
    "appropriate-polling",
    "brands",
    "common-modules",
    "config-flow",
    "config-flow-test-coverage",
    "dependency-transparency",
    "docs-actions",
    "docs-high-level-description",
    "docs-installation-instructions",
    "docs-removal-instructions",
    "entity-event-setup",
    "entity-unique-id",
    "has-entity-name",
    "runtime-data",
    "test-before-configure",
    "test-before-setup",
    "unique-config-entry",
    # Silver
    "action-exceptions",
    "config-entry-unloading",
    "docs-configuration-parameters",
    "docs-installation-parameters",
    "entity-unavailable",
    "integration-owner",
    "log-when-unavailable",
    "parallel-updates",
    "reauthentication-flow",
    "test-coverage",
    # Gold
    "devices",
    "diagnostics",
    "discovery",
    "discovery-update-info",
    "docs-data-update",
    "docs-examples",
    "docs-known-limitations",
    "docs-supported-devices",
    "docs-supported-functions",
    "docs-troubleshooting",
    "docs-use-cases",
    "dynamic-devices",
    "entity-category",
    "entity-device-class",
    "entity-disabled-by-default",
    "entity-translations",
    "exception-translations",
    "icon-translations",
    "reconfiguration-flow",
    "repair-issues",
    "stale-devices",
    # Platinum
    "async-dependency",
    "inject-websession",
    "strict-typing",
)

# Brand images Home Assistant serves from brand/: name -> (width, height) rule.
# Icons are square; logos keep their aspect ratio at a fixed height (the brands
# repository's rules: icon 256x256, @2x 512x512; logo 128-256 px high, @2x double).
BRAND_ICONS = {"icon.png": 256, "icon@2x.png": 512}
BRAND_LOGO_HEIGHTS = {"logo.png": (128, 256), "logo@2x.png": (256, 512)}

# Integrations that can be used without being listed as a dependency: entity
# platforms and the ones Home Assistant always sets up (hassfest's own list).
ALWAYS_USABLE = {
    *(platform.value for platform in Platform),
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
}

URL_IN_TEXT = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5)://|www\.)"
    r"[a-z0-9]+([\-.][a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(/.*)?)",
    re.IGNORECASE,
)
QUOTED_PLACEHOLDER = re.compile(r"'\{\w+\}'")
TRANSLATION_KEY = re.compile(r"^(?![_-])(?!.*[_-]{2})[a-z0-9_-]+(?<![_-])$")


class Problems:
    """Problems found, each under the name of the check that found it."""

    def __init__(self) -> None:
        """Start with none."""
        self.found: list[str] = []

    def add(self, check: str, message: str) -> None:
        """Record one problem."""
        self.found.append(f"[{check}] {message}")


# --- translations -----------------------------------------------------------


def translation_text(*, placeholders: bool = True) -> Callable[[Any], str]:
    """A validator for one translated string, as the frontend will show it."""

    def validate(value: Any) -> str:
        text = cv.string_with_no_html(value)
        if QUOTED_PLACEHOLDER.search(text):
            raise vol.Invalid("no placeholder inside single quotes, such as '{name}'")
        for _, field, _, _ in string.Formatter().parse(text):
            if field is None or field == "":
                continue
            if not placeholders:
                raise vol.Invalid("no placeholders here")
            if not field.isidentifier():
                raise vol.Invalid(f"placeholder {{{field}}} is not an identifier")
        if text != text.strip():
            raise vol.Invalid("no leading or trailing spaces")
        if URL_IN_TEXT.search(text):
            raise vol.Invalid("no URLs; pass them as description placeholders")
        if re.search(r"(.+\[%)|(%\].+)", text):
            raise vol.Invalid("no text around a [%key:...%] reference")
        return text

    return validate


def translation_key(value: Any) -> str:
    """Keys the code uses: lower case, digits, - and _, not at either end."""
    if not isinstance(value, str) or not TRANSLATION_KEY.match(value):
        raise vol.Invalid(f"{value!r} is not a valid translation key")
    return value


TEXT = translation_text()
PLAIN_TEXT = translation_text(placeholders=False)
TEXTS = {str: TEXT}


def _data_descriptions_have_fields(flow: dict[str, Any]) -> dict[str, Any]:
    for step_id, step in flow.get("step", {}).items():
        extra = set(step.get("data_description", {})) - set(step.get("data", {}))
        if extra:
            raise vol.Invalid(f"step {step_id}: data_description without data: {extra}")
    return flow


FLOW = vol.All(
    vol.Schema(
        {
            vol.Optional("flow_title"): TEXT,
            vol.Required("step"): {
                str: {
                    vol.Optional("title"): TEXT,
                    vol.Optional("description"): TEXT,
                    vol.Optional("data"): TEXTS,
                    vol.Optional("data_description"): TEXTS,
                    vol.Optional("menu_options"): TEXTS,
                    vol.Optional("menu_option_descriptions"): TEXTS,
                    vol.Optional("submit"): TEXT,
                    vol.Optional("sections"): {
                        str: {
                            vol.Optional("name"): TEXT,
                            vol.Optional("description"): TEXT,
                            vol.Optional("data"): TEXTS,
                            vol.Optional("data_description"): TEXTS,
                        }
                    },
                }
            },
            vol.Optional("error"): TEXTS,
            vol.Optional("abort"): TEXTS,
            vol.Optional("progress"): TEXTS,
            vol.Optional("create_entry"): TEXTS,
            vol.Optional("initiate_flow"): TEXTS,
        }
    ),
    _data_descriptions_have_fields,
)

STATES = cv.schema_with_slug_keys(PLAIN_TEXT, slug_validator=translation_key)
ENTITY_TRANSLATION = {
    vol.Optional("name"): TEXT,
    vol.Optional("state"): STATES,
    vol.Optional("state_attributes"): cv.schema_with_slug_keys(
        {vol.Optional("name"): PLAIN_TEXT, vol.Optional("state"): STATES},
        slug_validator=translation_key,
    ),
    vol.Optional("unit_of_measurement"): PLAIN_TEXT,
}
FIELDS = cv.schema_with_slug_keys(
    {
        vol.Required("name"): str,
        vol.Required("description"): TEXT,
        vol.Optional("example"): TEXT,
    },
    slug_validator=translation_key,
)
ISSUE = vol.All(
    cv.has_at_least_one_key("description", "fix_flow"),
    {
        vol.Required("title"): TEXT,
        vol.Exclusive("description", "fixable"): TEXT,
        vol.Exclusive("fix_flow", "fixable"): FLOW,
    },
)
TRANSLATIONS = vol.Schema(
    {
        vol.Optional("title"): TEXT,
        vol.Optional("config"): FLOW,
        vol.Optional("options"): FLOW,
        vol.Optional("config_subentries"): cv.schema_with_slug_keys(
            FLOW, slug_validator=vol.Any("_", cv.slug)
        ),
        vol.Optional("selector"): cv.schema_with_slug_keys(
            {
                vol.Optional("options"): cv.schema_with_slug_keys(
                    TEXT, slug_validator=translation_key
                ),
                vol.Optional("unit_of_measurement"): cv.schema_with_slug_keys(
                    TEXT, slug_validator=translation_key
                ),
                vol.Optional("fields"): FIELDS,
            },
            slug_validator=vol.Any("_", cv.slug),
        ),
        vol.Optional("device"): cv.schema_with_slug_keys(
            {vol.Optional("name"): TEXT}, slug_validator=translation_key
        ),
        vol.Optional("entity"): cv.schema_with_slug_keys(
            cv.schema_with_slug_keys(
                ENTITY_TRANSLATION, slug_validator=translation_key
            ),
            slug_validator=cv.slug,
        ),
        vol.Optional("exceptions"): cv.schema_with_slug_keys(
            {vol.Optional("message"): TEXT}, slug_validator=cv.slug
        ),
        vol.Optional("issues"): {str: ISSUE},
        vol.Optional("services"): cv.schema_with_slug_keys(
            {
                vol.Required("name"): TEXT,
                vol.Required("description"): TEXT,
                vol.Optional("fields"): FIELDS,
                vol.Optional("sections"): cv.schema_with_slug_keys(
                    {vol.Required("name"): str, vol.Optional("description"): TEXT},
                    slug_validator=translation_key,
                ),
            },
            slug_validator=translation_key,
        ),
        vol.Optional("system_health"): {
            vol.Optional("info"): cv.schema_with_slug_keys(
                TEXT, slug_validator=translation_key
            )
        },
    }
)


def check_translations(integration: Path, problems: Problems) -> None:
    """Every language file has the known structure and strings the frontend can show."""
    folder = integration / "translations"
    if not (folder / "en.json").is_file():
        problems.add("translations", "translations/en.json is missing")
        return
    for path in sorted(folder.glob("*.json")):
        strings = _load_json(path, "translations", problems)
        if strings is None:
            continue
        try:
            TRANSLATIONS(strings)
        except vol.Invalid as err:
            problems.add(
                "translations",
                f"Invalid translations/{path.name}: {humanize_error(strings, err)}",
            )


# --- icons ------------------------------------------------------------------


def mdi_icon(value: Any) -> str:
    """An icon is a Material Design Icons name."""
    icon = cv.string_with_no_html(value)
    if not icon.startswith("mdi:"):
        raise vol.Invalid(f"{icon!r} does not start with mdi:")
    return icon


def _states_differ_from_default(entities: dict[str, Any]) -> dict[str, Any]:
    for platform in entities.values():
        for key, icons in platform.items():
            default = icons.get("default")
            for state, icon in icons.get("state", {}).items():
                if icon == default:
                    raise vol.Invalid(f"{key}.{state}: same icon as the default")
    return entities


ICON_STATES = cv.schema_with_slug_keys(mdi_icon, slug_validator=translation_key)
FLOW_ICONS = {"step": {str: {"section": {str: mdi_icon}}}}
ICONS = vol.Schema(
    {
        vol.Optional("config"): FLOW_ICONS,
        vol.Optional("options"): FLOW_ICONS,
        vol.Optional("issues"): {str: {"fix_flow": FLOW_ICONS}},
        vol.Optional("services"): cv.schema_with_slug_keys(
            {vol.Required("service"): mdi_icon, vol.Optional("sections"): ICON_STATES},
            slug_validator=translation_key,
        ),
        vol.Optional("entity"): vol.All(
            cv.schema_with_slug_keys(
                cv.schema_with_slug_keys(
                    {
                        vol.Optional("default"): mdi_icon,
                        vol.Optional("state"): ICON_STATES,
                        vol.Optional("range"): {vol.Coerce(float): mdi_icon},
                        vol.Optional("state_attributes"): cv.schema_with_slug_keys(
                            {
                                vol.Optional("default"): mdi_icon,
                                vol.Optional("state"): ICON_STATES,
                            },
                            slug_validator=translation_key,
                        ),
                    },
                    slug_validator=translation_key,
                ),
                slug_validator=cv.slug,
            ),
            _states_differ_from_default,
        ),
    }
)


def check_icons(integration: Path, problems: Problems) -> None:
    """icons.json names Material Design Icons in the known structure."""
    path = integration / "icons.json"
    if not path.is_file():
        return
    icons = _load_json(path, "icons", problems)
    if icons is None:
        return
    try:
        ICONS(icons)
    except vol.Invalid as err:
        problems.add("icons", f"Invalid icons.json: {humanize_error(icons, err)}")


# --- services ---------------------------------------------------------------


def _selector(value: Any) -> Any:
    try:
        return selector.validate_selector(value)
    except vol.Invalid as err:
        raise vol.Invalid(f"invalid selector: {err}") from err


SERVICE_FIELD = vol.Schema(
    {
        vol.Optional("name"): str,
        vol.Optional("description"): str,
        vol.Optional("example"): vol.Any(str, int, float, bool, list, dict),
        vol.Optional("default"): object,
        vol.Optional("required"): bool,
        vol.Optional("advanced"): bool,
        vol.Optional("selector"): _selector,
        vol.Optional("filter"): dict,
    }
)
SERVICE = vol.Schema(
    {
        vol.Optional("name"): str,
        vol.Optional("description"): str,
        vol.Optional("target"): vol.Any(selector.TargetSelector.CONFIG_SCHEMA, None),
        vol.Optional("fields"): {
            str: vol.Any(
                SERVICE_FIELD,
                {
                    vol.Required("fields"): {str: SERVICE_FIELD},
                    vol.Optional("collapsed"): bool,
                },
            )
        },
    }
)
SERVICES = vol.Schema({cv.slug: vol.Any(SERVICE, None)})


def _service_fields(spec: dict[str, Any] | None) -> Iterator[str]:
    for name, field in ((spec or {}).get("fields") or {}).items():
        if isinstance(field, dict) and "fields" in field:
            yield from field["fields"]
        else:
            yield name


def check_services(integration: Path, problems: Problems) -> None:
    """services.yaml is valid, and every action and field is translated and has an icon."""
    registers = any(
        re.search(r"hass\.services\.(async_)?register\(", path.read_text())
        for path in integration.rglob("*.py")
    )
    path = integration / "services.yaml"
    if not path.is_file():
        if registers:
            problems.add("services", "registers actions but has no services.yaml")
        return
    try:
        services = load_yaml_dict(str(path))
    except HomeAssistantError as err:
        problems.add("services", f"cannot load services.yaml: {err}")
        return
    try:
        SERVICES(services)
    except vol.Invalid as err:
        problems.add(
            "services", f"Invalid services.yaml: {humanize_error(services, err)}"
        )
        return
    strings = _load_json(integration / "translations" / "en.json", "services", problems)
    translated = (strings or {}).get("services", {})
    icons = _load_json(integration / "icons.json", "services", problems) or {}
    for service, spec in services.items():
        text = translated.get(service, {})
        for part in ("name", "description"):
            if not text.get(part) and not (spec or {}).get(part):
                problems.add("services", f"action {service} has no {part}")
        for field in _service_fields(spec):
            field_text = text.get("fields", {}).get(field, {})
            for part in ("name", "description"):
                if not field_text.get(part):
                    problems.add(
                        "services", f"field {field} of action {service} has no {part}"
                    )
        if service not in icons.get("services", {}):
            problems.add("services", f"action {service} has no icon in icons.json")


# --- manifest, config flow, dependencies, config schema -----------------------


def _version(value: Any) -> str:
    version = AwesomeVersion(
        value,
        ensure_strategy=[
            AwesomeVersionStrategy.CALVER,
            AwesomeVersionStrategy.SEMVER,
            AwesomeVersionStrategy.SIMPLEVER,
            AwesomeVersionStrategy.BUILDVER,
            AwesomeVersionStrategy.PEP440,
        ],
    )
    return str(version)


def _https(value: str) -> str:
    if not value.startswith("https://"):
        raise vol.Invalid("documentation must be an https:// address")
    return value


DISCOVERY_KEYS = ("bluetooth", "dhcp", "mqtt", "usb", "zeroconf", "ssdp")
MANIFEST_FIELDS: dict[vol.Marker, Any] = {
    vol.Required("domain"): str,
    vol.Required("name"): str,
    vol.Optional("integration_type", default="hub"): vol.In(
        ["device", "entity", "hardware", "helper", "hub", "service", "system"]
    ),
    vol.Optional("config_flow"): bool,
    vol.Required("documentation"): vol.All(vol.Url(), _https),
    vol.Optional("issue_tracker"): vol.Url(),
    vol.Optional("quality_scale"): vol.In(["internal", "silver", "gold", "platinum"]),
    vol.Optional("requirements"): [str],
    vol.Optional("dependencies"): [str],
    vol.Optional("after_dependencies"): [str],
    vol.Required("codeowners"): [str],
    vol.Optional("loggers"): [str],
    vol.Optional("disabled"): str,
    vol.Required("iot_class"): vol.In(
        [
            "assumed_state",
            "calculated",
            "cloud_polling",
            "cloud_push",
            "local_polling",
            "local_push",
        ]
    ),
    vol.Optional("single_config_entry"): bool,
    vol.Required("version"): vol.All(str, _version),
    vol.Optional("import_executor"): bool,
    vol.Optional("homekit"): dict,
}
# Discovery matchers: this check knows no more about them than their type.
MANIFEST_FIELDS |= {vol.Optional(key): list for key in DISCOVERY_KEYS}
MANIFEST = vol.Schema(MANIFEST_FIELDS)


def check_manifest(integration: Path, problems: Problems) -> dict[str, Any] | None:
    """The manifest a custom integration needs, keys in hassfest's order."""
    manifest: dict[str, Any] | None = _load_json(
        integration / "manifest.json", "manifest", problems
    )
    if manifest is None:
        return None
    try:
        MANIFEST(manifest)
    except vol.Invalid as err:
        problems.add("manifest", f"Invalid manifest: {humanize_error(manifest, err)}")
        return manifest
    domain = manifest["domain"]
    if domain != integration.name:
        problems.add("manifest", f"domain {domain} does not match the folder name")
    if (CORE_COMPONENTS / domain).exists():
        problems.add("manifest", f"domain {domain} collides with a core integration")
    keys = list(manifest)
    order = sorted(keys, key=lambda key: {"domain": "0", "name": "1"}.get(key, key))
    if keys != order:
        problems.add("manifest", "keys not sorted: domain, name, then alphabetical")
    return manifest


def check_config_flow(
    integration: Path, manifest: dict[str, Any], problems: Problems
) -> None:
    """config_flow in the manifest and config_flow.py go together."""
    has_file = (integration / "config_flow.py").is_file()
    if manifest.get("config_flow") and not has_file:
        problems.add(
            "config_flow", "config_flow is true but there is no config_flow.py"
        )
    if has_file and not manifest.get("config_flow"):
        problems.add("config_flow", "config_flow.py exists but the manifest says no")


def _module_names(tree: ast.Module) -> set[str]:
    """Top-level names a module defines."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def check_config_schema(
    integration: Path, manifest: dict[str, Any], problems: Problems
) -> None:
    """An integration with async_setup declares what YAML it accepts."""
    init = integration / "__init__.py"
    if not init.is_file():
        return
    names = _module_names(ast.parse(init.read_text()))
    if ({"async_setup", "setup"} & names) and not (
        {"CONFIG_SCHEMA", "PLATFORM_SCHEMA", "PLATFORM_SCHEMA_BASE"} & names
    ):
        hint = (
            " (cv.config_entry_only_config_schema for a config-flow-only integration)"
            if manifest.get("config_flow")
            else ""
        )
        problems.add(
            "config_schema", f"async_setup without CONFIG_SCHEMA in __init__.py{hint}"
        )


def _used_integrations(path: Path) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        modules: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
            if node.module == "homeassistant.components":
                modules = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        for module in modules:
            parts = module.split(".")
            if parts[:2] == ["homeassistant", "components"] and len(parts) > 2:
                used.add(parts[2])
    return used


def check_dependencies(
    integration: Path, manifest: dict[str, Any], problems: Problems
) -> None:
    """Other integrations the code imports are declared in the manifest."""
    declared = set(manifest.get("dependencies", [])) | set(
        manifest.get("after_dependencies", [])
    )
    for path in sorted(integration.rglob("*.py")):
        # A platform file may import its own entity component (diagnostics.py ...).
        allowed = declared | ALWAYS_USABLE | {path.stem, integration.name}
        for used in sorted(_used_integrations(path) - allowed):
            problems.add(
                "dependencies",
                f"{path.name} uses {used}, which is not in dependencies or "
                "after_dependencies",
            )
    for dependency in sorted(declared):
        if not (CORE_COMPONENTS / dependency).is_dir():
            problems.add("dependencies", f"unknown integration {dependency}")


# --- quality scale, brand, HACS ----------------------------------------------

QUALITY_SCALE = vol.Schema(
    {
        vol.Required("rules"): {
            vol.Required(rule): vol.Any(
                vol.In(["todo", "done"]),
                {
                    vol.Required("status"): vol.In(["todo", "done"]),
                    vol.Optional("comment"): str,
                },
                {vol.Required("status"): "exempt", vol.Required("comment"): str},
            )
            for rule in QUALITY_SCALE_RULES
        }
    }
)


def check_quality_scale(integration: Path, problems: Problems) -> None:
    """quality_scale.yaml lists every rule; an exemption says why."""
    path = integration / "quality_scale.yaml"
    if not path.is_file():
        problems.add("quality_scale", "quality_scale.yaml is missing")
        return
    try:
        data = load_yaml_dict(str(path))
        QUALITY_SCALE(data)
    except HomeAssistantError as err:
        problems.add("quality_scale", f"cannot load quality_scale.yaml: {err}")
    except vol.Invalid as err:
        problems.add("quality_scale", f"Invalid quality_scale.yaml: {err}")


def check_brand(integration: Path, problems: Problems) -> None:
    """Icons and logos for light and dark themes, each at two sizes."""
    folder = integration / "brand"
    for theme in ("", "dark_"):
        for name, side in BRAND_ICONS.items():
            size = _png_size(folder / f"{theme}{name}", problems)
            if size is not None and size != (side, side):
                problems.add("brand", f"{theme}{name} is {size}, not {side}x{side}")
        for name, (low, high) in BRAND_LOGO_HEIGHTS.items():
            size = _png_size(folder / f"{theme}{name}", problems)
            if size is not None and not low <= size[1] <= high:
                problems.add(
                    "brand", f"{theme}{name} is {size[1]} px high, not {low}-{high}"
                )


def _png_size(path: Path, problems: Problems) -> tuple[int, int] | None:
    if not path.is_file():
        problems.add("brand", f"brand/{path.name} is missing")
        return None
    with Image.open(path) as image:
        if image.format != "PNG":
            problems.add("brand", f"brand/{path.name} is not a PNG")
            return None
        return image.size


def check_hacs(integration: Path, problems: Problems) -> None:
    """HACS needs a LICENSE and hacs.json at the repository root."""
    root = integration.parent.parent
    if not any((root / name).is_file() for name in ("LICENSE", "LICENSE.md")):
        problems.add("hacs", "no LICENSE at the repository root")
    hacs = _load_json(root / "hacs.json", "hacs", problems)
    if hacs is not None and not hacs.get("name"):
        problems.add("hacs", "hacs.json has no name")


# --- driver -----------------------------------------------------------------


def _load_json(path: Path, check: str, problems: Problems) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.add(check, f"{path.name} is missing")
    except ValueError as err:
        problems.add(check, f"invalid JSON in {path.name}: {err}")
    return None


def validate(integration: Path) -> list[str]:
    """Every problem found in one integration folder."""
    problems = Problems()
    for path in sorted(integration.rglob("*.json")):
        _load_json(path, "json", problems)
    manifest = check_manifest(integration, problems)
    if manifest is not None:
        check_config_flow(integration, manifest, problems)
        check_config_schema(integration, manifest, problems)
        check_dependencies(integration, manifest, problems)
    check_services(integration, problems)
    check_icons(integration, problems)
    check_translations(integration, problems)
    check_quality_scale(integration, problems)
    check_brand(integration, problems)
    check_hacs(integration, problems)
    return problems.found


def main(argv: list[str] | None = None) -> int:
    """Validate and print what is wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--integration-path", type=Path, default=DEFAULT_INTEGRATION, help="folder"
    )
    integration = parser.parse_args(argv).integration_path.resolve()
    found = validate(integration)
    for problem in found:
        print(problem)
    print(
        f"hassfest (local): {integration.name}: "
        + (f"{len(found)} problem(s)" if found else "valid")
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
