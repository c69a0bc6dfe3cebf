"""Pieces of the config, options and repair flows: fields, model download, server check."""
