"""An Ollama server emulator for tests: real HTTP on loopback, real Ollama behaviour.

    emu = OllamaEmulator()
    await emu.start()            # 127.0.0.1, ephemeral port; emu.url
    emu.inject("http_500")       # the next generate/chat request fails
    await emu.stop()             # down (connections refused); start() again: same port
    await emu.close()            # for good: the port is given back

Run on its own: python -m tests.ollama_emulator --port 11434
"""

from tests.ollama_emulator.catalogue import ModelSpec
from tests.ollama_emulator.faults import FAULT_KINDS, FaultKind
from tests.ollama_emulator.records import RecordedRequest
from tests.ollama_emulator.server import OllamaEmulator
from tests.ollama_emulator.tools import ToolRule
from tests.ollama_emulator.vision import PALETTE, colour_name

__all__ = [
    "FAULT_KINDS",
    "PALETTE",
    "FaultKind",
    "ModelSpec",
    "OllamaEmulator",
    "RecordedRequest",
    "ToolRule",
    "colour_name",
]
