"""The Ollama side: an HTTP client, the server pool and the model catalogue.

Nothing here imports Home Assistant: the shared aiohttp session and the way to
start background tasks come in as arguments.
"""
