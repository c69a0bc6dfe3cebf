"""Faults that tests switch on for the next generate/chat requests."""

from dataclasses import dataclass
from typing import Literal, get_args

from tests.ollama_emulator.catalogue import canonical_name
from tests.ollama_emulator.errors import MID_STREAM_ERROR, RUNNER_CRASH, SERVER_BUSY

type FaultKind = Literal[
    "http_500",
    "busy_503",
    "error_mid_stream",
    "drop_mid_stream",
    "stall",
    "broken_json",
    "missing_required",
    "numbers_out_of_range",
    "one_line",
    "garbage_line",
    "proxy_502",
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind.__value__)
# What a reverse proxy in front of the server answers when the server is gone:
# an HTML page in Latin-1 ("défectueuse"), its Content-Type naming no charset.
PROXY_502_PAGE = (
    "<html><body><h1>502 Passerelle défectueuse</h1>"
    "<p>Le serveur amont ne répond pas.</p></body></html>"
).encode("latin-1")


@dataclass
class Fault:
    kind: FaultKind
    model: str | None
    """Canonical name the fault is limited to, or None for any model."""
    remaining: int
    seconds: float
    """stall: how long before the first chunk."""
    after_chunks: int
    """error_mid_stream / drop_mid_stream: content chunks sent before the failure."""
    message: str
    size: int
    """one_line / garbage_line: bytes in the one line."""
    load_requests: bool
    """Whether load/unload-only requests (empty prompt or messages) trigger it too."""

    def matches(self, model: str, load_only: bool) -> bool:
        if load_only and not self.load_requests:
            return False
        return self.model is None or self.model == model


class FaultBook:
    """Pending faults, first injected first used; each request consumes at most one."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def inject(
        self,
        kind: FaultKind,
        *,
        model: str | None = None,
        times: int = 1,
        seconds: float = 3600,
        after_chunks: int = 2,
        message: str | None = None,
        size: int = 10_000_000,
        load_requests: bool = False,
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; expected one of {FAULT_KINDS}")
        default_message = {
            "http_500": RUNNER_CRASH,
            "busy_503": SERVER_BUSY,
        }.get(kind, MID_STREAM_ERROR)
        self._faults.append(
            Fault(
                kind=kind,
                model=None if model is None else canonical_name(model),
                remaining=times,
                seconds=seconds,
                after_chunks=after_chunks,
                message=message or default_message,
                size=size,
                load_requests=load_requests,
            )
        )

    def clear(self) -> None:
        self._faults.clear()

    def take(self, model: str, load_only: bool) -> Fault | None:
        """Consume one use of the first fault matching this request."""
        for fault in self._faults:
            if fault.matches(model, load_only):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None
