"""Errors the emulated server answers with, and the real server's texts for them."""

RUNNER_CRASH = (
    "model runner has unexpectedly stopped, this may be due to resource limitations "
    "or an internal error, check ollama server logs for details"
)
SERVER_BUSY = "server busy, please try again.  maximum pending requests exceeded"
MID_STREAM_ERROR = "an error was encountered while running the model: unexpected EOF"
NOT_AN_IMAGE = "failed to process inputs: image: unknown format"
UNKNOWN_MANIFEST = "pull model manifest: file does not exist"


class ApiError(Exception):
    """Ends a request with `{"error": message}` and this status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def model_not_found(name: str) -> ApiError:
    return ApiError(404, f"model '{name}' not found")


def not_supported(model: str, what: str) -> ApiError:
    return ApiError(400, f'"{model}" does not support {what}')
