"""Assist: the LLM API that lets a conversation agent search the timeline and look at a camera."""
