"""The request bodies of the emulated endpoints, as Ollama's Go structs declare them."""

from tests.ollama_emulator.go_json import (
    BOOL,
    OBJECT,
    STRING,
    Struct,
    anything,
    base64_list,
    duration,
    list_of,
    think,
)

_COMMON = {
    "model": STRING,
    "stream": BOOL,
    "format": anything,
    "options": OBJECT,
    "keep_alive": duration,
    "think": think,
}

TOOL_CALL = Struct("ToolCall", {"function": OBJECT})
MESSAGE = Struct(
    "Message",
    {
        "role": STRING,
        "content": STRING,
        "thinking": STRING,
        "images": base64_list,
        "tool_calls": list_of(TOOL_CALL),
        "tool_name": STRING,
    },
)
TOOL = Struct("Tool", {"type": STRING, "function": OBJECT})

GENERATE = Struct(
    "GenerateRequest",
    {
        **_COMMON,
        "prompt": STRING,
        "suffix": STRING,
        "system": STRING,
        "template": STRING,
        "context": anything,
        "raw": BOOL,
        "images": base64_list,
    },
)
CHAT = Struct(
    "ChatRequest",
    {**_COMMON, "messages": list_of(MESSAGE), "tools": list_of(TOOL)},
)
SHOW = Struct(
    "ShowRequest",
    {
        "model": STRING,
        "name": STRING,
        "system": STRING,
        "verbose": BOOL,
        "options": OBJECT,
    },
)
PULL = Struct(
    "PullRequest",
    {
        "model": STRING,
        "name": STRING,
        "insecure": BOOL,
        "stream": BOOL,
        "username": STRING,
        "password": STRING,
    },
)
