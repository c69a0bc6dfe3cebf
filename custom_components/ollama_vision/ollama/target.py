"""A model on one or more servers: their addresses, API keys and keep-alive.

A setup's form fields hold several addresses in one text (one per line, or
separated by commas) and one API key for all of them or one per address.
"""

from dataclasses import dataclass
import re

from .redact import redact_credentials

# Addresses in one field are separated by line breaks or commas.
_ADDRESS_SEPARATORS = re.compile(r"[\n,]")


def split_addresses(value: str) -> list[str]:
    """The addresses written in one server field, in order, blanks dropped."""
    return [part.strip() for part in _ADDRESS_SEPARATORS.split(value) if part.strip()]


# API keys in one field are separated by commas: the field is a one-line
# password box (the frontend shows a multi-line box in clear text).
_KEY_SEPARATOR = ","


def split_api_keys(value: str | None, count: int) -> list[str | None]:
    """Each of `count` addresses' API key, in the addresses' order.

    One key serves every address; otherwise one key per address, an empty
    one meaning none. Raises ValueError when the count fits neither.
    """
    if not value or not value.strip():
        return [None] * count
    keys = [part.strip() or None for part in value.split(_KEY_SEPARATOR)]
    if len(keys) == 1:
        return keys * count
    if len(keys) != count:
        raise ValueError(f"{len(keys)} API keys for {count} addresses")
    return keys


def with_keys(urls: str, keys: str | None) -> list[tuple[str, str | None]]:
    """Each address of a field with its own API key (see `split_api_keys`)."""
    addresses = split_addresses(urls)
    return list(zip(addresses, split_api_keys(keys, len(addresses)), strict=True))


def display_address(url: str) -> str:
    """A server's address without scheme or password, as entities show it."""
    return redact_credentials(url).split("://", 1)[-1]


@dataclass(frozen=True, slots=True)
class ModelTarget:
    """A model on one or more servers, and how long they should keep it loaded.

    `url` is the stored field: one address, or several, one per line;
    `api_key` the key field: one key for all, or one per address (see
    `split_api_keys`).
    """

    url: str
    model: str
    api_key: str | None
    keep_alive: int

    @property
    def urls(self) -> tuple[str, ...]:
        """Each server's address."""
        return tuple(split_addresses(self.url))

    @property
    def servers(self) -> tuple[tuple[str, str | None], ...]:
        """Each server's address and API key."""
        return tuple(with_keys(self.url, self.api_key))

    @property
    def label(self) -> str:
        """`model @ server`, as the original's info sensors showed it."""
        return f"{self.model} @ {', '.join(map(display_address, self.urls))}"
