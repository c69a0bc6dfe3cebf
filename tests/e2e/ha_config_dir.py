"""Prepare a Home Assistant configuration directory that loads this integration.

Used by `scripts/develop` (`python -m tests.e2e.ha_config_dir config --port 8123`)
and by the end-to-end fixtures, so both run Home Assistant the same way.
"""

import argparse
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import re
import subprocess
import sys

from homeassistant import bootstrap
from homeassistant.auth.mfa_modules import totp
from homeassistant.components.http.config import (
    HTTP_STORAGE_SCHEMA,
    STORAGE_KEY as HTTP_STORAGE_KEY,
    STORAGE_MINOR_VERSION as HTTP_STORAGE_MINOR_VERSION,
    STORAGE_VERSION as HTTP_STORAGE_VERSION,
)
from homeassistant.util.package import is_installed

REPO_ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = REPO_ROOT / "custom_components" / "ollama_vision"
COMPONENTS = Path(bootstrap.__file__).parent / "components"
# Files that configuration.yaml includes; the UI editors save into them.
INCLUDED_FILES = ("automations.yaml", "scripts.yaml", "scenes.yaml")
# configuration.yaml's `media_dirs`, written for each config folder (see write_media_dirs).
MEDIA_DIRS_FILE = "media_dirs.yaml"
# Set up without being named in configuration.yaml: mqtt by the README's
# automations, the others by onboarding (components/onboarding/views.py).
EXTRA_DOMAINS = {"mqtt", "google_translate", "met", "radio_browser", "shopping_list"}


def link_integration(config_dir: Path) -> None:
    """Point <config>/custom_components/ollama_vision at the working tree."""
    link = config_dir / "custom_components" / INTEGRATION.name
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.resolve() == INTEGRATION:
            return
        link.unlink()
    # Relative, so that config/ keeps working when the repository moves.
    link.symlink_to(os.path.relpath(INTEGRATION, link.parent))


def create_included_files(config_dir: Path) -> None:
    """An empty list in each included file that does not exist yet."""
    for name in INCLUDED_FILES:
        path = config_dir / name
        if not path.exists():
            path.write_text("[]\n", encoding="utf-8")


def media_dir(config_dir: Path) -> Path:
    """The media folder ("My media") of a prepared config folder: inside it."""
    return config_dir / "media"


def write_media_dirs(config_dir: Path) -> None:
    """Keep media (timeline snapshots, the demo's pictures) inside the config folder.

    Without `media_dirs`, Home Assistant takes /media when it believes it runs in a
    container (core_config.py), which this machine looks like: test runs and
    the development instance wrote into the machine's own media folder.
    `media_dirs` needs absolute paths and configuration.yaml is shared (the
    end-to-end tests copy it elsewhere), so it includes this file, written for
    each folder with that folder's path; Home Assistant wants the folder to exist.
    """
    folder = media_dir(config_dir)
    folder.mkdir(parents=True, exist_ok=True)
    # JSON quoting is YAML too: any path reads back as written.
    (config_dir / MEDIA_DIRS_FILE).write_text(
        "# Written by tests/e2e/ha_config_dir.py at every start: media stays in\n"
        "# this config folder. Edit configuration.yaml to use other folders.\n"
        f"local: {json.dumps(str(folder))}\n",
        encoding="utf-8",
    )


def seed_http_config(config_dir: Path, port: int) -> None:
    """Listen on 127.0.0.1:<port> from the first start.

    Since 2026.10 the http settings live in .storage/http, set from the UI. An
    `http:` block in configuration.yaml is imported once as an unconfirmed trial
    that Home Assistant reverts (and restarts for) five minutes later unless
    someone confirms it in a dialog. So the stored settings are written
    directly, as confirmed, before the first start; later changes made in the
    UI are kept.
    """
    path = config_dir / ".storage" / HTTP_STORAGE_KEY
    if path.exists():
        return
    settings = HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": port})
    stable = {
        **settings,
        "created_at": datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    document = {
        "version": HTTP_STORAGE_VERSION,
        "minor_version": HTTP_STORAGE_MINOR_VERSION,
        "key": HTTP_STORAGE_KEY,
        "data": {"stable": stable, "pending": None, "yaml_migration_done": True},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2), encoding="utf-8")


def _configured_domains(config_dir: Path) -> set[str]:
    """Top-level keys of configuration.yaml (its includes need no parsing)."""
    text = (config_dir / "configuration.yaml").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z0-9_]+):", text, re.MULTILINE))


def _related(manifest: dict[str, list[str]]) -> set[str]:
    """Integrations set up with this one: before it, or after it when present."""
    return set(manifest.get("dependencies", [])) | set(
        manifest.get("after_dependencies", [])
    )


def missing_requirements(config_dir: Path) -> list[str]:
    """Requirements of what Home Assistant will set up that are not installed.

    That is the integrations it always sets up, those in configuration.yaml,
    EXTRA_DOMAINS, Ollama Vision's own, and their (after-)dependencies, at the
    versions the installed Home Assistant pins.
    """
    todo = set(bootstrap.DEFAULT_INTEGRATIONS) | bootstrap.CORE_INTEGRATIONS
    todo |= _configured_domains(config_dir) | EXTRA_DOMAINS
    # Adding an Ollama Vision setup loads what it depends on (ai_task pulls in
    # conversation and its intents): installed now, not when the user adds one.
    todo |= _related(json.loads((INTEGRATION / "manifest.json").read_text()))
    seen: set[str] = set()
    missing: list[str] = []
    while todo:
        domain = todo.pop()
        manifest_path = COMPONENTS / domain / "manifest.json"
        if domain in seen or not manifest_path.exists():
            continue
        seen.add(domain)
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        todo |= _related(manifest)
        missing += [r for r in manifest.get("requirements", []) if not is_installed(r)]
    # The authenticator-app login step, loaded at every start (core_config.py).
    missing += [r for r in totp.REQUIREMENTS if not is_installed(r)]
    return sorted(set(missing))


def _build_env() -> dict[str, str]:
    """The environment for pip, with the headers of a Python from scripts/setup.

    That Python is Debian's, unpacked into .python/, so its headers keep
    Debian's multiarch layout: compilers find <x86_64-linux-gnu/python3.14/
    pyconfig.h> only when .python/usr/include is on CPATH.
    """
    env = dict(os.environ)
    include = REPO_ROOT / ".python" / "usr" / "include"
    if include.is_dir():
        env["CPATH"] = os.pathsep.join(filter(None, [str(include), env.get("CPATH")]))
    return env


def install_requirements(config_dir: Path) -> None:
    """Install what Home Assistant would otherwise fetch during its first start.

    Done up front because a first start that downloads the frontend (a large
    wheel) and compiles the voice packages (pymicro-vad and pyspeex-noise have
    no Python 3.14 wheels) is slow, and when it fails the frontend never loads.
    """
    missing = missing_requirements(config_dir)
    if not missing:
        return
    print(f">> Installing Home Assistant runtime requirements: {' '.join(missing)}")
    pip = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    result = subprocess.run(
        [*pip, *missing],
        check=False,
        env=_build_env(),
        stderr=subprocess.PIPE,
        text=True,
    )
    # This machine's pip configuration may name package folders that do not
    # exist; pip's warnings about them are noise (scripts/setup drops them too).
    for line in result.stderr.splitlines():
        if "is ignored: it is neither a file nor a directory" not in line:
            print(line, file=sys.stderr)
    if result.returncode != 0:
        sys.exit(
            "Installing failed. pymicro-vad and pyspeex-noise (needed by the "
            "frontend of Home Assistant 2026.10) compile against Python's headers: "
            "on Debian, libpython3.14-dev."
        )


def prepare(config_dir: Path, port: int, install: bool = True) -> None:
    """Everything a first start needs, keeping whatever state is already there."""
    link_integration(config_dir)
    create_included_files(config_dir)
    write_media_dirs(config_dir)
    seed_http_config(config_dir, port)
    if install:
        install_requirements(config_dir)


def main() -> None:
    """Command line: prepare a configuration directory."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config_dir", type=Path)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument(
        "--requirements-only",
        action="store_true",
        help="only install what Home Assistant would install at its first start",
    )
    args = parser.parse_args()
    if args.requirements_only:
        install_requirements(args.config_dir.resolve())
    else:
        prepare(args.config_dir.resolve(), args.port)


if __name__ == "__main__":
    main()
