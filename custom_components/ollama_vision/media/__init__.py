"""Pictures for a model: preparing an image, choosing key frames, decoding video.

Blocking, CPU-bound work that imports nothing from Home Assistant: callers run
it in the executor.
"""
